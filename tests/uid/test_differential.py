"""The kernel's rules, proven: the same sequences of credential calls run
as real root without any shim and as an unprivileged user under the UID
shim give identical return values, errnos and resulting ids and groups.

The sequences are generated (fixed seeds, so a failure can be replayed):
ids come from a small pool so that calls often hit the real, effective,
saved or fs id of the moment, which is where the rules differ.
"""

from __future__ import annotations

import os
import random
import subprocess

import pytest

from .helpers import uid_env

IDS = ["0", "1", "2", "3", "-1"]
UID_CALLS = {
    "setuid": 1, "seteuid": 1, "setreuid": 2, "setresuid": 3, "setfsuid": 1,
    "sys_setuid": 1, "sys_setreuid": 2, "sys_setresuid": 3, "sys_setfsuid": 1,
}
GID_CALLS = {name.replace("uid", "gid"): n for name, n in UID_CALLS.items()}
OTHER = ["setgroups", "sys_setgroups", "getgroups", "sys_getgroups",
         "setgroups_null", "getgroups_null", "sys_getgroups_null",
         "setgroups_huge", "sys_setgroups_neg", "sys_getuid", "sys_geteuid",
         "sys_getgid", "sys_getegid"]


def one_call(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        name = rng.choice(sorted(UID_CALLS))
        return " ".join([name] + [rng.choice(IDS) for _ in range(UID_CALLS[name])])
    if kind < 0.8:
        name = rng.choice(sorted(GID_CALLS))
        return " ".join([name] + [rng.choice(IDS) for _ in range(GID_CALLS[name])])
    name = rng.choice(OTHER)
    if name in ("setgroups", "sys_setgroups"):
        # mostly short lists, sometimes more than a record keeps inline
        size = rng.randint(0, 5) if rng.random() < 0.85 else rng.randint(30, 60)
        groups = [rng.choice(["0", "1", "2", "3", "7", "100", "65534", "4294967294"])
                  for _ in range(size)]
        return f"{name} {','.join(groups) or '-'}"
    if name in ("getgroups", "sys_getgroups", "setgroups_null", "getgroups_null",
                "sys_getgroups_null"):
        return f"{name} {rng.randint(0, 6)}"
    return name


def sequences(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [";".join(one_call(rng) for _ in range(rng.randint(1, 12)))
            for _ in range(count)]


def run_reference(probe, text: str) -> str:
    """Real root, no shim, in a child process."""
    assert os.geteuid() == 0, "the reference needs real root (CI runs as root)"
    result = subprocess.run([str(probe)], input=text, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    return result.stdout


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_generated_sequences_match_real_root(run_user, probes, seed):
    probe = probes("uid_seq")
    text = "\n".join(sequences(seed, 600)) + "\n"
    expected = run_reference(probe, text).splitlines()
    got = run_user([str(probe)], env=uid_env(), input=text, timeout=300)
    assert got.returncode == 0, got.stdout[-2000:] + got.stderr
    assert got.stderr == ""
    lines = got.stdout.splitlines()
    assert len(lines) == len(expected) == 600
    for seq, want, have in zip(text.splitlines(), expected, lines):
        assert have == want, f"sequence: {seq}"


HANDWRITTEN = [
    # the saved uid lets a dropped effective uid come back ...
    "setresuid 1 1 0;seteuid 0;setuid 1;seteuid 0",
    # ... and setreuid decides the saved uid
    "setreuid 1 2;seteuid 1;seteuid 2;setuid 0",
    "setreuid -1 2;seteuid 0",
    "setreuid 2 -1;seteuid 0;seteuid 2",
    # -1 arguments, seteuid(-1) is EINVAL (glibc), setuid(-1) EINVAL (kernel)
    "seteuid -1;setegid -1;setuid -1;setgid -1;setresuid -1 -1 -1",
    # gids are changed under the euid's capability, not the egid's
    "setresgid 5 5 5;setgid 0;setresuid 1 1 1;setgid 0;setgid 5",
    # setgroups is refused once root is dropped
    "setgroups 1,2;seteuid 1;setgroups 0;seteuid 0;setgroups 0;setuid 1;setgroups 0",
    # getgroups with a short buffer, zero, exact
    "setgroups 7,3,3,1;getgroups 3;getgroups 4;getgroups 0;sys_getgroups 2",
    # fs ids: follow the effective id, and setresuid's early return
    "setfsuid 9;setfsuid 0;setresuid 1 -1 -1;setfsuid 0;seteuid 1;setfsuid 0;setfsuid 1",
    "setfsuid 7;setresuid -1 -1 -1;setresuid -1 0 -1;setfsgid 7;setresgid 0 -1 -1",
    # raw syscalls obey the same rules
    "sys_setresuid 1 1 0;sys_setuid 0;sys_setuid 2;sys_setgroups 1;sys_setgroups_neg",
    "setgroups_huge;sys_setgroups_neg;setuid 1;setgroups_huge",
    # NULL lists: EFAULT only where the kernel would touch them
    "setgroups_null 0;setgroups_null 2;getgroups_null 0;getgroups_null 5;setgroups -;"
    "getgroups_null 3;sys_getgroups_null 1;seteuid 1;setgroups_null 2",
]


def test_handwritten_corner_cases_match_real_root(run_user, probes):
    probe = probes("uid_seq")
    text = "\n".join(HANDWRITTEN) + "\n"
    expected = run_reference(probe, text).splitlines()
    got = run_user([str(probe)], env=uid_env(), input=text)
    assert got.returncode == 0, got.stdout + got.stderr
    for seq, want, have in zip(HANDWRITTEN, expected, got.stdout.splitlines(), strict=True):
        assert have == want, f"sequence: {seq}"
    # "setgroups 1,2;seteuid 1;setgroups 0": dropped root cannot add group 0
    assert "setgroups: ret=-1 errno=1 u=0,1,0,1" in expected[6]


def test_without_the_shim_the_user_cannot_become_root(run_user, probes):
    """The sequences start by making the process root: impossible for the
    test user unless the shim fakes it."""
    got = run_user([str(probes("uid_seq"))], input="setuid 1\n")
    assert got.returncode == 1
    assert "cannot become root: Operation not permitted" in got.stdout
