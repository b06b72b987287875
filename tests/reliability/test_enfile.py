"""ENFILE from the kernel (the system-wide file table full) and EMFILE,
injected, through the socket shim: the program gets exactly the kernel's
errno, nothing is left behind (descriptor, socket file, pool slot), a
pending connection stays queued, and everything works once the table has
room again.

The table is not really filled (that would hurt the whole machine):
tests/c/enfile_probe.c fails socket, socketpair, accept and accept4 with
ENFILE from a seccomp supervisor for a while.  The shim sees the filter
being installed ("seen", it then keeps to the program's own system calls)
or not ("unseen", as for a filter inherited across exec); the transcript
must be the one real sockets give in both cases."""

from __future__ import annotations

import pytest

from pcaptools import problems

from .helpers import socket_env, socket_files


@pytest.mark.parametrize("real,fake", [("127.0.0.1", "127.0.0.10"),
                                       ("::1", "fd00::5357:5f0a")])
@pytest.mark.parametrize("mode", ["seen", "unseen"])
def test_enfile_passes_through_and_recovers(probes, run_user, make_env, worker_port,
                                            real, fake, mode):
    probe = str(probes("enfile_probe"))
    want = run_user([probe, mode, real, str(worker_port(46100))], timeout=60)
    assert want.returncode == 0, want.stdout + want.stderr
    assert "accept: -1 ENFILE" in want.stdout and "emfile accept: -1 EMFILE" in want.stdout
    assert "same fds: 1" in want.stdout
    env = make_env(socket=True, nss=False, uid=False, pcap=True)
    got = run_user([probe, mode, fake, "80", "capacity"],
                   env=socket_env(env, SOCKET_WRAPPER_MAX_SOCKETS="16"), timeout=60)
    assert got.returncode == 0, got.stdout + got.stderr
    # Every slot of the pool is free again after 100 failed socket() calls.
    assert got.stdout.replace("capacity 16 ENFILE\n", "") == want.stdout
    assert "cwrap-socket error" not in got.stderr, got.stderr
    assert socket_files(env) == []
    # The capture (on, to run its hooks through the failures) reads clean.
    assert problems(env.capture_path) == ["Warns: TCP Connection reset (RST) (x1)"]
