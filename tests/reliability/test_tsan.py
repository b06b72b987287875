"""ThreadSanitizer on the threaded probes: the three shims and the probes
are built with clang-14 -fsanitize=thread, the shim preloaded into the
probe (the probe carries the TSan runtime; the shim is linked without
-z defs so its __tsan_* calls bind to it).  Any TSan report fails.

Probes: tests/c/stress_net.c (socket shim: 2 processes x 8 threads x 16
connections, TCP and UDP, IPv4 and IPv6, 2 rounds, with forks),
tests/c/stress_signals.c (a SIGALRM handler closing and sending on wrapped
sockets; 300 forks while 6 threads use sockets), the UID shim's race
probe (tests/c/uid_race.c) and the NSS threads probe
(tests/c/nss_threads.c: lookups in 8 threads while files are replaced
and the process forks).  No suppressions are needed.

TSan runs an asynchronous signal's handler only where the interrupted
thread enters or leaves an intercepted call (or blocks), and counts the
handler's accesses as the interrupted thread's own; docs/reliability.md
says what that leaves to the plain stress test.

Reports are symbolised by llvm-symbolizer-14 through a small static
launcher that drops LD_PRELOAD (the symbolizer is not instrumented and
could not load the TSan-built shim)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, TESTS, require_tool

from .helpers import socket_files

LAUNCHER = r"""
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	(void)argc;
	unsetenv("LD_PRELOAD");
	execv("/usr/bin/llvm-symbolizer-14", argv);
	return 127;
}
"""


@pytest.fixture(scope="module")
def tsan():
    require_tool("clang-14")
    require_tool("llvm-symbolizer-14")
    require_tool("make")
    out = Path(tempfile.mkdtemp(prefix="cwt-tsan-"))
    os.chmod(out, 0o755)
    build = subprocess.run(
        ["make", "-s", "-C", str(REPO / "csrc"), "-j2", "CC=clang-14", "SANITIZE=thread",
         f"BUILD={out}/build", "CFLAGS=-O1 -g -Wno-error",
         "SHIM_LDFLAGS=-shared -Wl,-z,now -fsanitize=thread"],
        capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    for name in ("stress_net", "stress_signals", "uid_race", "nss_threads"):
        subprocess.run(["clang-14", "-O1", "-g", "-fsanitize=thread", "-D_GNU_SOURCE",
                        "-o", str(out / name), str(TESTS / "c" / f"{name}.c"),
                        "-lpthread", "-ldl"], check=True)
    (out / "symbolizer.c").write_text(LAUNCHER)
    subprocess.run(["cc", "-static", "-O1", "-o", str(out / "llvm-symbolizer"),
                    str(out / "symbolizer.c")], check=True)
    for path in out.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    yield out
    shutil.rmtree(out, ignore_errors=True)


def _tsan_env(tsan: Path, shim: str, **extra: str) -> dict[str, str]:
    return {"LD_PRELOAD": str(tsan / "build" / f"libcwrap_{shim}.so"),
            "TSAN_OPTIONS": f"halt_on_error=0 exitcode=66 second_deadlock_stack=1 "
                            f"external_symbolizer_path={tsan}/llvm-symbolizer",
            **extra}


def _check(result):
    assert "ThreadSanitizer" not in result.stderr, result.stderr[-6000:]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]


@pytest.mark.parametrize("pcap", [False, True], ids=["plain", "capture"])
def test_stress_net_under_tsan(tsan, run_user, make_env, pcap):
    """With capture on too: the connection table shared between processes
    and its process-shared robust locks, under 16 threads and a fork."""
    env = make_env(socket=True, nss=False, uid=False, pcap=pcap)
    variables = {**env.variables, "SOCKET_WRAPPER_DEFAULT_IFACE": "10"}
    result = run_user([str(tsan / "stress_net"), "2", "2", "8", "16", "65536", "10"],
                      env={**variables, **_tsan_env(tsan, "socket")}, timeout=240)
    _check(result)
    assert result.stdout.rstrip().endswith("ok"), result.stdout
    assert socket_files(env) == []


def test_uid_race_under_tsan(tsan, run_user):
    result = run_user([str(tsan / "uid_race")],
                      env=_tsan_env(tsan, "uid", UID_WRAPPER="1", UID_WRAPPER_ROOT="1"),
                      timeout=240)
    _check(result)
    assert result.stdout.startswith("reads=") and result.stdout.endswith(" bad=0\n")


def test_nss_threads_under_tsan(tsan, run_user, shared_tmp):
    from nss.helpers import write_world
    env = write_world(shared_tmp)
    env.update(_tsan_env(tsan, "nss"))
    result = run_user([str(tsan / "nss_threads"), str(shared_tmp / "passwd"),
                       str(shared_tmp / "hosts"), "3"], env=env, timeout=240)
    _check(result)
    assert "bad=0" in result.stdout and "forks=0" not in result.stdout, result.stdout


def _stress_signals(tsan, run_user, env, *args: str):
    """stress_signals MODE on 127.0.0.10:80 under TSan, checked clean."""
    variables = {**env.variables, "SOCKET_WRAPPER_DEFAULT_IFACE": "10"}
    result = run_user([str(tsan / "stress_signals"), args[0], "127.0.0.10", "80", *args[1:]],
                      env={**variables, **_tsan_env(tsan, "socket")}, timeout=240)
    _check(result)
    return result


def test_stress_signals_handler_under_tsan(tsan, run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    result = _stress_signals(tsan, run_user, env, "handler", "3")
    fields = result.stdout.split()
    values = dict(zip(fields[::2], map(int, fields[1::2])))
    assert values["signals"] > 100 and values["fds-start"] == values["fds-end"], result.stdout
    print(f"stress_signals handler under TSan: {result.stdout.strip()}")
    assert socket_files(env) == []


def test_fork_storm_under_tsan(tsan, run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    result = _stress_signals(tsan, run_user, env, "forkstorm", "300")
    assert "failed 0" in result.stdout, result.stdout
    print(f"fork storm under TSan: {result.stdout.strip()}")
    assert socket_files(env) == []
