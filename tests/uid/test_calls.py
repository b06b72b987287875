"""The UID shim's calls and variables, one behaviour at a time, each shown
impossible for the test user without the shim where that applies."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .helpers import parse_kv, uid_env, uid_lib


def misc(run_user, probes, *args, env=None):
    return run_user([str(probes("uid_misc")), *args], env=env)


def test_id_and_whoami_say_root(run_user, run_as):
    for argv, want in ((["id"], "uid=0(root) gid=0(root) groups=0(root)"),
                       (["whoami"], "root"), (["id", "-u"], "0")):
        got = run_user(argv, env=uid_env())
        assert got.returncode == 0, got.stderr
        assert got.stdout.strip() == want
        plain = run_user(argv)
        assert plain.stdout.strip() != want


def test_dropped_privileges_cannot_be_regained(run_user, probes):
    got = misc(run_user, probes, "drop", env=uid_env())
    assert got.returncode == 0, got.stderr
    out = parse_kv(got.stdout)
    assert out["setgroups"] == out["setgid"] == out["setuid"] == "ok"
    for way in ("setuid0", "seteuid0", "setreuid0", "setresuid0", "sys_setuid0",
                "setgid0", "setgroups0"):
        assert out[way] == "Operation not permitted", way
    assert out["fsuid0"] == "4242"
    assert "uid=4242,4242,4242,4242 gid=4242,4242,4242,4242 groups=4242" in got.stdout
    plain = misc(run_user, probes, "drop")
    assert parse_kv(plain.stdout)["setuid"] == "Operation not permitted"


def test_without_root_the_process_starts_with_its_real_ids(run_user, run_as, probes):
    got = misc(run_user, probes, "ids", env=uid_env(root=False))
    u, g = run_as.uid, run_as.gid
    assert f"uid={u},{u},{u},{u} gid={g},{g},{g},{g} groups=" in got.stdout
    assert parse_kv(misc(run_user, probes, "drop", env=uid_env(root=False)).stdout)[
        "setuid"] == "Operation not permitted"


def test_initial_uid_gid_and_groups(run_user, probes):
    env = uid_env(root=False, UID_WRAPPER_INITIAL_UID="1000", UID_WRAPPER_INITIAL_GID="100",
                  UID_WRAPPER_INITIAL_GROUPS="100,27,4")
    got = misc(run_user, probes, "ids", env=env)
    assert "uid=1000,1000,1000,1000 gid=100,100,100,100 groups=4,27,100" in got.stdout
    got = misc(run_user, probes, "ids", env=uid_env(UID_WRAPPER_INITIAL_GID="5"))
    assert "uid=0,0,0,0 gid=5,5,5,5 groups=5" in got.stdout


def test_myuid_makes_geteuid_report_the_real_uid(run_user, run_as, probes):
    got = misc(run_user, probes, "ids", env=uid_env(UID_WRAPPER_MYUID="1"))
    assert f"geteuid={run_as.uid} getuid=0 getegid=0" in got.stdout


@pytest.mark.parametrize("var,value,accepted", [
    ("UID_WRAPPER_ROOT", "yes", "expected 1 (on) or 0 (off)"),
    ("UID_WRAPPER_MYUID", "on", "expected 1 (on) or 0 (off)"),
    ("UID_WRAPPER_INITIAL_UID", "root", "expected a whole number from 0 to 4294967294"),
    ("UID_WRAPPER_INITIAL_GROUPS", "1,,2", "expected group ids (0 to 4294967294) separated by commas"),
    ("UID_WRAPPER_CHROOT", "maybe", "expected 1 (a fake root's chroot() succeeds"),
    ("UID_WRAPPER_DISABLE_DEEPBIND", "true", "expected 1 (on) or 0 (off)"),
    ("UID_WRAPPER_HANDOFF", "0:1,2,3", "expected what a wrapped parent writes"),
])
def test_bad_values_are_named_once(run_user, probes, var, value, accepted):
    got = misc(run_user, probes, "ids", env=uid_env(root=False, **{var: value}))
    assert got.returncode == 0
    lines = [line for line in got.stderr.splitlines() if var in line]
    assert len(lines) == 1, got.stderr
    assert f'cwrap-uid error: {var}="{value}' in lines[0]
    assert accepted in lines[0]


def test_bad_root_value_fails_closed(run_user, run_as, probes):
    got = misc(run_user, probes, "ids", env=uid_env(root=False, UID_WRAPPER_ROOT="yes"))
    assert f"geteuid={run_as.uid}" in got.stdout


def test_chroot_of_a_fake_root_succeeds_without_effect(run_user, probes, shared_tmp):
    got = misc(run_user, probes, "chroot", str(shared_tmp), env=uid_env())
    assert got.stdout == "chroot=ok\n"
    got = misc(run_user, probes, "chroot", str(shared_tmp / "missing"), env=uid_env())
    assert got.stdout == "chroot=No such file or directory\n"
    (shared_tmp / "file").write_text("")
    got = misc(run_user, probes, "chroot", str(shared_tmp / "file"), env=uid_env())
    assert got.stdout == "chroot=Not a directory\n"
    # a fake non-root, the kernel itself (switch off), and no shim: EPERM
    for env in (uid_env(root=False), uid_env(UID_WRAPPER_CHROOT="0"), None):
        got = misc(run_user, probes, "chroot", str(shared_tmp), env=env)
        assert got.stdout == "chroot=Operation not permitted\n"


def test_initgroups_uses_the_group_database_and_the_rules(run_user, probes):
    user = "root"
    want = ",".join(str(g) for g in sorted(os.getgrouplist(user, 77)))
    got = misc(run_user, probes, "initgroups", user, "77", env=uid_env())
    assert "initgroups=ok" in got.stdout
    assert f"groups={want}\n" in got.stdout
    real = subprocess.run([str(probes("uid_misc")), "initgroups", user, "77"],
                          capture_output=True, text=True)
    assert real.stdout == got.stdout
    got = misc(run_user, probes, "initgroups", "daemon", "77", env=uid_env(root=False))
    assert "initgroups=Operation not permitted" in got.stdout


def test_getgroups_chk_aborts_on_a_short_buffer(run_user, probes):
    assert misc(run_user, probes, "chk", "2", env=uid_env()).stdout == "chk=1\n"
    got = misc(run_user, probes, "chk", "3", env=uid_env())
    assert got.returncode == -6 or got.returncode == 134
    assert "buffer overflow detected" in got.stderr


@pytest.fixture(scope="module")
def fake_socket_shim():
    """Built once: a preload library playing the socket shim's syscall()."""
    out = Path(tempfile.mkdtemp(prefix="cwfs-"))
    os.chmod(out, 0o755)
    lib = out / "fake_socket.so"
    subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-Wall", "-Wextra",
                    "-Werror", "-D_GNU_SOURCE", "-o", str(lib),
                    str(Path(__file__).parent.parent / "c" / "uid_fake_socket.c"), "-ldl"],
                   check=True)
    yield str(lib)


@pytest.mark.parametrize("order", ["uid-first", "socket-first"])
def test_syscall_cooperates_with_the_socket_shim(run_user, probes, fake_socket_shim, order):
    libs = [uid_lib(), fake_socket_shim]
    if order == "socket-first":
        libs.reverse()
    env = uid_env(LD_PRELOAD=" ".join(libs))

    def sys(number):
        got = misc(run_user, probes, "syscall", str(number), env=env)
        assert got.returncode == 0, got.stderr
        return got.stdout.strip()

    assert sys(100000) == "syscall=4242 errno=0"                    # socket's
    assert sys(102) == "syscall=0 errno=0"                          # SYS_getuid: ours
    assert sys(107) == "syscall=0 errno=0"                          # SYS_geteuid
    assert sys(100001) == "syscall=-1 errno=38"                     # nobody's: ENOSYS
    plain = misc(run_user, probes, "syscall", "102")
    assert plain.stdout.strip() != "syscall=0 errno=0"


JEMALLOC = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")


@pytest.mark.parametrize("order", ["jemalloc-first", "uid-first"])
def test_works_with_jemalloc_calling_syscall_early(run_user, probes, order):
    """jemalloc calls syscall() while it sets itself up, before the shim's
    constructor: the shim must neither allocate nor lock then."""
    if not JEMALLOC.exists():
        pytest.fail("libjemalloc2 is not installed: install the packages in "
                    "scripts/test-packages.txt", pytrace=False)
    libs = [str(JEMALLOC), uid_lib()]
    if order == "uid-first":
        libs.reverse()
    got = run_user(["id"], env=uid_env(LD_PRELOAD=" ".join(libs)), timeout=20)
    assert got.stdout.strip() == "uid=0(root) gid=0(root) groups=0(root)", got.stderr
    got = misc(run_user, probes, "drop", env=uid_env(LD_PRELOAD=" ".join(libs)))
    assert parse_kv(got.stdout)["setuid0"] == "Operation not permitted"
    assert "uid=4242,4242,4242,4242" in got.stdout


def test_handoff_is_honoured_only_for_the_real_uid_that_wrote_it(run_user, run_as, probes):
    """A wrapped parent's hand-off carries its real uid: the same user's
    programs take it, a program running as someone else ignores it."""
    def handoff_written_as(runner, **kw):
        got = runner(["sh", "-c", 'printf %s "$UID_WRAPPER_HANDOFF"'],
                     env=uid_env(root=False, UID_WRAPPER_INITIAL_UID="555"), **kw)
        assert got.returncode == 0 and got.stdout.startswith(("0:", f"{run_as.uid}:"))
        return got.stdout.rstrip()

    def as_root(argv, env):
        return subprocess.run(argv, env={"PATH": "/usr/bin:/bin", **env},
                              capture_output=True, text=True)

    mine = handoff_written_as(run_user)
    rooted = handoff_written_as(as_root)
    assert mine.startswith(f"{run_as.uid}:555,555,555,555:")
    got = misc(run_user, probes, "ids", env=uid_env(root=False, UID_WRAPPER_HANDOFF=mine))
    assert "uid=555,555,555,555" in got.stdout
    got = misc(run_user, probes, "ids", env=uid_env(root=False, UID_WRAPPER_HANDOFF=rooted))
    assert f"uid={run_as.uid},{run_as.uid}" in got.stdout
    # one changed digit: the checksum no longer matches
    forged = mine.replace(":555,", ":0,", 1)
    got = misc(run_user, probes, "ids", env=uid_env(root=False, UID_WRAPPER_HANDOFF=forged))
    assert f"uid={run_as.uid},{run_as.uid}" in got.stdout
    assert 'UID_WRAPPER_HANDOFF="' in got.stderr and "is not valid" in got.stderr


def test_a_dlopened_copy_leaves_environ_usable_after_dlclose(run_user):
    """cwrap asks a shim its version by dlopen/dlclose; with UID_WRAPPER=1
    in that process the copy's constructor writes to environ, which must
    stay valid once the copy is unloaded."""
    code = ("import ctypes, subprocess, cwrap; from cwrap._ffi import shim_version;"
            "print(shim_version('uid', cwrap.lib_path('uid')));"
            "libc = ctypes.CDLL(None); libc.getenv.restype = ctypes.c_char_p;"
            "print(libc.getenv(b'UID_WRAPPER_HANDOFF')[:2]);"
            "subprocess.run(['true'], check=True); print('ok')")
    got = run_user([sys.executable, "-c", code], env={"UID_WRAPPER": "1"})
    assert got.returncode == 0, got.stderr
    version, entry, done = got.stdout.splitlines()
    assert version and entry.startswith("b'") and done == "ok"
