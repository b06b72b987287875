"""Identity across threads and every way a process starts another,
compared with what the real kernel and glibc do for real root."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .helpers import uid_env

SPAWN_MODES = ["fork", "thread", "exec", "execl", "execle", "execvp", "execve-own-env",
               "fexecve", "fork-exec", "vfork-exec", "posix_spawn", "posix_spawnp",
               "posix_spawn-own-env", "posix_spawn-resetids", "system", "popen"]


def reference(argv: list[str]) -> subprocess.CompletedProcess[str]:
    assert os.geteuid() == 0, "the reference needs real root (CI runs as root)"
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})


def test_threads_follow_glibc_and_kernel_rules(run_user, probes):
    """Raw syscalls change one thread, library calls all of them (but
    setfsuid), new threads copy their creator: line for line as real root."""
    probe = str(probes("uid_threads"))
    want = reference([probe])
    assert want.returncode == 0, want.stderr
    got = run_user([probe], env=uid_env())
    assert got.returncode == 0, got.stderr
    assert got.stdout == want.stdout
    assert "t1 raw setresgid(3,3,3) rc=0 | main u=0,0,0,0 g=0,0,0,0 G=0 | t1 u=0,0,0,0 g=3,3,3,3" \
        in got.stdout
    assert "thread made by t1: u=2,2,0,2 g=3,3,3,3" in got.stdout


@pytest.mark.parametrize("mode", SPAWN_MODES)
def test_identity_survives(run_user, probes, mode):
    probe = str(probes("uid_spawn"))
    want = reference([probe, mode])
    assert want.returncode == 0, want.stdout + want.stderr
    got = run_user([probe, mode], env=uid_env())
    assert got.returncode == 0, got.stdout + got.stderr
    assert got.stdout == want.stdout
    # As execve(2) does: the saved ids become the effective ones.
    if mode in ("fork", "thread"):
        assert got.stdout == "uid=31,32,33,32 gid=21,22,23,22 groups=11,12\n"
    elif mode in ("posix_spawn-resetids", "system", "popen"):
        # RESETIDS, and /bin/sh (dash) resetting euid to the real uid
        assert got.stdout == "uid=31,31,31,31 gid=21,21,21,21 groups=11,12\n"
    else:
        assert got.stdout == "uid=31,32,32,32 gid=21,22,22,22 groups=11,12\n"


def test_without_the_shim_the_switch_is_refused(run_user, probes):
    got = run_user([str(probes("uid_spawn")), "fork"])
    assert got.returncode == 3
    assert "cannot switch: Operation not permitted" in got.stdout


PYTHON_SCRIPT = r"""
import os, subprocess, sys
probe = sys.argv[1]
os.setgroups([11, 12]); os.setresgid(21, 22, 23); os.setresuid(31, 32, 33)
own = {k: os.environ[k] for k in ("LD_PRELOAD", "UID_WRAPPER")}
for how in ("run", "run-env", "check_output", "system", "spawn", "fork"):
    print(how, end=" ", flush=True)
    if how == "run":
        subprocess.run([probe, "print"], check=True)
    elif how == "run-env":
        subprocess.run([probe, "print"], env=own, check=True)
    elif how == "check_output":
        print(subprocess.check_output([probe, "print"], text=True), end="", flush=True)
    elif how == "system":
        os.system(probe + " print")   # /bin/sh drops euid, as for real
    elif how == "spawn":
        os.waitpid(os.posix_spawn(probe, [probe, "print"], own), 0)
    elif how == "fork":
        pid = os.fork()
        if pid == 0:
            print(os.getresuid(), os.getresgid(), os.getgroups(), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
"""


def test_python_subprocess_keeps_the_identity(run_user, probes):
    probe = str(probes("uid_spawn"))
    got = run_user([sys.executable, "-c", PYTHON_SCRIPT, probe], env=uid_env())
    assert got.returncode == 0, got.stderr
    after_exec = "uid=31,32,32,32 gid=21,22,22,22 groups=11,12"
    assert got.stdout.splitlines() == [
        f"run {after_exec}", f"run-env {after_exec}", f"check_output {after_exec}",
        "system uid=31,31,31,31 gid=21,21,21,21 groups=11,12", f"spawn {after_exec}",
        "fork (31, 32, 33) (21, 22, 23) [11, 12]"]


def test_readers_never_see_half_a_change(run_user, probes):
    """Four threads read ids and groups without pause while another keeps
    changing them (groups crossing the inline size): every read is whole."""
    probe = str(probes("uid_race"))
    got = run_user([probe], env=uid_env(), timeout=120)
    assert got.returncode == 0, got.stdout + got.stderr
    assert got.stdout.startswith("reads=") and got.stdout.endswith(" bad=0\n")
    assert int(got.stdout.split()[0].split("=")[1]) > 0
    assert run_user([probe]).returncode == 3          # no shim: no setgroups
