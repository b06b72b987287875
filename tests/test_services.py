"""Supervised programs: spawn with readiness, logs in the state directory,
graceful stop, failures reported, no orphan even when the owner is
SIGKILLed, and joining a running environment from elsewhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import cwrap
from cwrap.services import ServiceFailed
from conftest import user_environ

SERVER = ("import socket, sys, time; print('starting', flush=True); time.sleep(0.2);"
          "s = socket.socket(); s.bind(('127.0.0.10', 80)); s.listen();"
          "print('accepting connections', flush=True); print('oops', file=sys.stderr, flush=True);"
          "time.sleep(600)")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_spawn_waits_for_the_port_and_keeps_logs(make_env, run_as):
    env = make_env(nss=False, uid=False)
    service = env.spawn(["/usr/bin/python3", "-c", SERVER], name="web", ready=("127.0.0.10", 80),
                        env={"SOCKET_WRAPPER_DEFAULT_IFACE": "10"}, **run_as.kwargs())
    assert service.returncode is None
    assert (env.dir / "logs" / "web.out").read_text().startswith("starting\n")
    service.wait_for_log("accepting connections")
    assert service.stop() == 143
    assert "oops" in (env.dir / "logs" / "web.err").read_text()
    assert env.services["web"] is service


def test_spawn_waits_for_a_log_line(make_env, run_as):
    env = make_env(nss=False, uid=False)
    begin = time.monotonic()
    service = env.spawn(["/usr/bin/python3", "-c", SERVER], ready_log=r"^accepting",
                        **run_as.kwargs())
    assert time.monotonic() - begin >= 0.2
    assert "accepting connections" in service.output()


def test_a_service_that_dies_early_says_why(make_env, run_as):
    env = make_env(nss=False, uid=False)
    with pytest.raises(ServiceFailed, match=r"(?s)exited with status 3 before listening.*boom"):
        env.spawn(["sh", "-c", "echo boom >&2; exit 3"], name="bad", ready=("127.0.0.10", 80),
                  **run_as.kwargs())
    with pytest.raises(ServiceFailed, match="does not listen on 127.0.0.11:80 after 0.5s"):
        env.spawn(["sleep", "30"], name="slow", ready=("127.0.0.11", 80), timeout=0.5,
                  **run_as.kwargs())
    with pytest.raises(cwrap.ConfigError, match="exists already"):
        env.spawn(["true"], name="bad")


def test_unexpected_exit_is_reported_and_keeps_the_dir(run_as, capsys):
    env = cwrap.Environment(nss=False, uid=False, base_environ=user_environ(run_as))
    env.start()
    run_as.give(env.dir)
    service = env.spawn(["sh", "-c", "exit 4"], name="crasher", **run_as.kwargs())
    service.proc.wait()
    state = env.dir
    env.close()
    err = capsys.readouterr().err
    try:
        assert "cwrap: service crasher exited with status 4" in err
        assert f"cwrap: kept state directory {state}" in err
    finally:
        subprocess.run(["rm", "-rf", str(state)])


OWNER = textwrap.dedent("""\
    import cwrap, sys, time
    env = cwrap.Environment(nss=False, uid=False)
    env.start()
    svc = env.spawn(["sh", "-c", "sleep 600 & echo $! > %(bg)s; exec sleep 600"], name="s")
    while True:
        try:
            if open("%(bg)s").read().strip():
                break
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    print(svc.pid, flush=True)
    time.sleep(600)
    """)


def test_no_orphan_when_the_owner_is_killed(run_as, shared_tmp):
    bg = shared_tmp / "bg"
    owner = subprocess.Popen([sys.executable, "-c", OWNER % {"bg": bg}], stdout=subprocess.PIPE,
                             text=True, cwd=shared_tmp, env=user_environ(run_as), **run_as.kwargs())
    service_pid = int(owner.stdout.readline())
    background = int(bg.read_text())
    assert alive(service_pid) and alive(background)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while (alive(service_pid) or alive(background)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(service_pid) and not alive(background)


def test_join_from_another_terminal(make_env, run_as, run_user, cwrap_cli, probes):
    env = make_env(nss=False, uid=False)
    data = json.loads((env.dir / "environ.json").read_text())
    assert data["variables"]["SOCKET_WRAPPER_DIR"] == str(env.socket_dir)
    env.spawn(["/usr/bin/python3", "-c", SERVER], name="web", ready=("127.0.0.10", 80),
              env={"SOCKET_WRAPPER_DEFAULT_IFACE": "10"}, **run_as.kwargs())
    fetch = ("import socket; s = socket.create_connection(('127.0.0.10', 80), timeout=5);"
             "print('joined', s.getsockname()[0])")
    result = run_user([*cwrap_cli, "run", "--join", str(env.dir), "--", "/usr/bin/python3",
                       "-c", fetch], env={"SOCKET_WRAPPER_DEFAULT_IFACE": "33"})
    assert result.stdout == "joined 127.0.0.33\n", result.stderr
    assert env.dir.is_dir()                     # joining never removes it
    result = run_user([*cwrap_cli, "shell", str(env.dir)],
                      input='echo "$CWRAP_DIR $SOCKET_WRAPPER_DIR"\n',
                      env={"SHELL": "/bin/sh"})
    assert result.stdout == f"{env.dir} {env.socket_dir}\n", result.stderr
    result = run_user([*cwrap_cli, "run", "--join", "/tmp", "--", "true"])
    assert result.returncode == 125 and "not a cwrap state directory" in result.stderr
