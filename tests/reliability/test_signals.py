"""Signals and fork against the socket shim: blocking calls give EINTR
(or restart) exactly as on real sockets; a signal handler that closes and
sends on wrapped sockets while the main thread is inside the shim cannot
deadlock it; fork from a multithreaded program while other threads are
inside the shim leaves both sides working."""

from __future__ import annotations

import pytest

from .helpers import socket_env, socket_files


@pytest.mark.parametrize("real,fake", [("127.0.0.1", "127.0.0.10"),
                                       ("::1", "fd00::5357:5f0a")])
def test_eintr_exactly_as_without_the_shim(probes, run_user, make_env, worker_port, real, fake):
    probe = str(probes("stress_signals"))
    want = run_user([probe, "eintr", real, str(worker_port(45210))], timeout=60)
    assert want.returncode == 0, want.stderr
    assert "accept: -1 EINTR" in want.stdout and "send-full: -1 EINTR" in want.stdout
    env = make_env(socket=True, nss=False, uid=False)
    got = run_user([probe, "eintr", fake, "80"], env=socket_env(env), timeout=60)
    assert got.returncode == 0, got.stderr
    assert got.stdout == want.stdout
    assert socket_files(env) == []


@pytest.mark.stress
def test_handler_closing_and_sending_cannot_deadlock(probes, run_user, make_env):
    """Regression: close() in a handler that interrupted socket() inside
    the pool lock used to wait for that lock forever."""
    env = make_env(socket=True, nss=False, uid=False)
    result = run_user([str(probes("stress_signals")), "handler", "127.0.0.10", "80", "3"],
                      env=socket_env(env), timeout=30)
    assert result.returncode == 0, result.stderr
    fields = result.stdout.split()
    values = dict(zip(fields[::2], map(int, fields[1::2])))
    assert values["signals"] > 1000 and values["closed"] > 100, result.stdout
    assert values["fds-start"] == values["fds-end"], result.stdout
    assert socket_files(env) == []


@pytest.mark.stress
@pytest.mark.parametrize("host", ["127.0.0.10", "fd00::5357:5f0a"])
def test_fork_storm_while_threads_are_inside_the_shim(probes, run_user, make_env, host):
    env = make_env(socket=True, nss=False, uid=False)
    result = run_user([str(probes("stress_signals")), "forkstorm", host, "80", "300"],
                      env=socket_env(env), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "failed 0" in result.stdout, result.stdout + result.stderr
    fields = result.stdout.split()
    values = dict(zip(fields[::2], map(int, fields[1::2])))
    assert values["fds-before"] == values["fds-after"], result.stdout
    assert socket_files(env) == []
