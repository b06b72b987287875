"""`cwrap run`: exit statuses as env(1) gives them, signals, cleanup.

Every cwrap here runs as the unprivileged user, as a user would run it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import user_environ


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("script,status", [
    ("exit 0", 0), ("exit 7", 7), ("exit 255", 255),
    ("kill -TERM $$", 143), ("kill -KILL $$", 137), ("kill -INT $$", 130),
])
def test_exit_status_is_the_commands(run_user, cwrap_cli, script, status):
    result = run_user([*cwrap_cli, "run", "--", "sh", "-c", script])
    assert result.returncode == status, result.stderr


def test_missing_command_exits_127_with_one_line(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "run", "--", "/nonexistent"])
    assert result.returncode == 127
    assert result.stderr == "cwrap: /nonexistent: no such file or directory\n"
    result = run_user([*cwrap_cli, "run", "--", "no-such-command-anywhere"])
    assert result.returncode == 127
    assert result.stderr == "cwrap: no-such-command-anywhere: command not found\n"


def test_not_executable_exits_126(run_user, cwrap_cli, shared_tmp):
    script = shared_tmp / "plain.txt"
    script.write_text("echo hi\n")
    os.chmod(script, 0o644)
    result = run_user([*cwrap_cli, "run", "--", str(script)])
    assert result.returncode == 126
    assert result.stderr == f"cwrap: {script}: permission denied\n"
    result = run_user([*cwrap_cli, "run", "--", str(shared_tmp)])
    assert result.returncode == 126


def test_own_errors_exit_125_with_one_line(run_user, cwrap_cli, shared_tmp):
    too_long = shared_tmp / ("d" * 120)
    result = run_user([*cwrap_cli, "run", "--dir", str(too_long), "--", "true"])
    assert result.returncode == 125
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("cwrap: socket directory ") and "too long" in result.stderr
    result = run_user([*cwrap_cli, "run", "--iface", "99", "--", "true"])
    assert result.returncode == 125
    assert result.stderr.count("\n") == 1 and "99" in result.stderr
    result = run_user([*cwrap_cli, "run", "--debug", "loud", "--", "true"])
    assert result.returncode == 125
    assert result.stderr == ("cwrap: debug level 'loud' is not valid: expected 0-3 or "
                             "error, warn, debug, trace\n")


def test_no_traceback_on_unknown_subcommand(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "frobnicate"])
    assert result.returncode == 125
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_version(run_user, cwrap_cli):
    version = (Path(__file__).parent.parent / "VERSION").read_text().strip()
    result = run_user([*cwrap_cli, "--version"])
    assert result.returncode == 0 and result.stdout == f"cwrap {version}\n"


def start_trapping(run_as, cwrap_cli, shared_tmp, sig):
    """cwrap running a shell that exits 40+N on signal N, once it is ready."""
    ready = shared_tmp / "ready"
    script = (f"trap 'exit {40 + sig}' {signal.Signals(sig).name[3:]}; : > {ready}; "
              "while :; do sleep 0.05; done")
    proc = subprocess.Popen([*cwrap_cli, "run", "--", "sh", "-c", script], cwd=shared_tmp,
                            env=user_environ(run_as), stderr=subprocess.PIPE,
                            **run_as.kwargs())
    wait_for(ready.exists, what="the child's trap")
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                                 signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2])
def test_signals_are_forwarded(run_as, cwrap_cli, shared_tmp, sig):
    proc = start_trapping(run_as, cwrap_cli, shared_tmp, sig)
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=30) == 40 + sig


def test_child_dies_with_a_killed_cwrap(run_as, cwrap_cli, shared_tmp):
    pidfile = shared_tmp / "pid"
    proc = subprocess.Popen([*cwrap_cli, "run", "--", "sh", "-c", f"echo $$ > {pidfile}; exec sleep 600"],
                            cwd=shared_tmp, env=user_environ(run_as), **run_as.kwargs())
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="pid file")
    child = int(pidfile.read_text())
    assert alive(child)
    proc.kill()
    proc.wait()
    wait_for(lambda: not alive(child), what="the child to die with cwrap")


def test_nothing_is_left_behind(run_user, cwrap_cli, shared_tmp):
    bg, dirfile = shared_tmp / "bg", shared_tmp / "dir"
    result = run_user([*cwrap_cli, "run", "--", "sh", "-c",
                       f"sleep 600 & echo $! > {bg}; echo $CWRAP_DIR > {dirfile}"])
    assert result.returncode == 0, result.stderr
    state = Path(dirfile.read_text().strip())
    assert state.name.startswith("cw-")
    assert not state.exists()
    wait_for(lambda: not alive(int(bg.read_text())), what="the background child to be killed")


def test_failure_keeps_the_directory_and_says_where(run_user, cwrap_cli, shared_tmp):
    dirfile = shared_tmp / "dir"
    result = run_user([*cwrap_cli, "run", "--", "sh", "-c", f"echo $CWRAP_DIR > {dirfile}; exit 3"])
    assert result.returncode == 3
    state = Path(dirfile.read_text().strip())
    try:
        assert state.is_dir()
        assert result.stderr == f"cwrap: kept state directory {state} (something run in it failed)\n"
    finally:
        subprocess.run(["rm", "-rf", str(state)])


@pytest.mark.parametrize("flag,script,kept", [
    ("--keep", "true", True), ("--no-keep", "false", False)])
def test_keep_flags(run_user, cwrap_cli, shared_tmp, flag, script, kept):
    dirfile = shared_tmp / "dir"
    run_user([*cwrap_cli, "run", flag, "--", "sh", "-c", f"echo $CWRAP_DIR > {dirfile}; {script}"])
    state = Path(dirfile.read_text().strip())
    assert state.exists() == kept
    subprocess.run(["rm", "-rf", str(state)])


def test_chosen_dir_is_used_and_not_removed(run_as, run_user, cwrap_cli, shared_tmp):
    chosen = shared_tmp / "state"
    chosen.mkdir()
    run_as.give(chosen)
    result = run_user([*cwrap_cli, "run", "--dir", str(chosen), "--", "sh", "-c",
                       "echo $SOCKET_WRAPPER_DIR"])
    assert result.returncode == 0
    assert result.stdout.strip() == f"{chosen}/s"
    assert chosen.is_dir()


def test_unusable_chosen_dir_is_a_cwrap_error(run_user, cwrap_cli, shared_tmp):
    result = run_user([*cwrap_cli, "run", "--dir", "/proc/cwrap-cannot", "--", "true"])
    assert result.returncode == 125
    assert result.stderr.startswith("cwrap: cannot create state directory /proc/cwrap-cannot")
    assert result.stderr.count("\n") == 1


def test_options_reach_the_shims(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "run", "--socket", "--iface", "10", "--debug", "trace",
                       "--", "sh", "-c", "env | grep WRAPPER | sort"])
    lines = result.stdout.splitlines()
    assert "SOCKET_WRAPPER_DEFAULT_IFACE=10" in lines
    assert "SOCKET_WRAPPER_DEBUGLEVEL=3" in lines
    assert not any(line.startswith(("NSS_WRAPPER_PASSWD", "UID_WRAPPER=")) for line in lines)
