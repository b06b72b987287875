"""cwrap.Environment: the state directory, the composed variables, the
processes it runs and what it leaves behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

import cwrap
from cwrap.preload import compose_preload, split_preload


def test_state_dir_is_private_short_and_removed(make_env):
    env = make_env()
    state = env.dir
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert env.socket_dir.is_dir() and stat.S_IMODE(env.socket_dir.stat().st_mode) == 0o700
    assert len(os.fsencode(env.socket_dir)) + 1 + 7 < 108
    env.close()
    assert not state.exists()


def test_too_long_dir_fails_before_anything_starts(tmp_path):
    long_dir = tmp_path / ("x" * 100)
    with pytest.raises(cwrap.StateDirError, match=r"too long \(\d+ bytes\).*at most 99"):
        cwrap.Environment(dir=long_dir).start()
    assert not long_dir.exists()


def test_too_long_base_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("CWRAP_TMPDIR", str(tmp_path / ("y" * 100)))
    with pytest.raises(cwrap.StateDirError, match="choose a shorter directory"):
        cwrap.Environment().start()


def test_variables_of_each_shim():
    with cwrap.Environment(socket=True, nss=False, uid=False) as env:
        assert env.variables == {"CWRAP_DIR": str(env.dir),
                                 "SOCKET_WRAPPER_DIR": str(env.socket_dir)}
    with cwrap.Environment(socket=False, nss=False, root=True) as env:
        assert env.variables["UID_WRAPPER"] == "1"
        assert env.variables["UID_WRAPPER_ROOT"] == "1"
        assert "SOCKET_WRAPPER_DIR" not in env.variables
    with cwrap.Environment(socket=False, uid=False, debug="debug") as env:
        passwd = Path(env.variables["NSS_WRAPPER_PASSWD"])
        assert passwd.is_absolute() and passwd.read_text().startswith("root:x:0:0:")
        assert env.variables["NSS_WRAPPER_DEBUGLEVEL"] == "2"


def test_preload_is_prepended_absolute_and_keeps_the_callers():
    base = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": "/opt/other/libmine.so"}
    with cwrap.Environment(base_environ=base) as env:
        entries = split_preload(env.environ["LD_PRELOAD"])
    ours = [str(cwrap.lib_path(s)) for s in ("socket", "nss", "uid")]
    assert entries == [*ours, "/opt/other/libmine.so"]
    assert all(Path(e).is_absolute() for e in entries)


def test_sanitizer_runtime_stays_first_and_nothing_is_doubled():
    asan = "/usr/lib/gcc/x86_64-linux-gnu/12/libasan.so"
    ours = ["/a/libcwrap_socket.so"]
    once = compose_preload(ours, f"/x/liby.so {asan}")
    assert split_preload(once) == [asan, "/a/libcwrap_socket.so", "/x/liby.so"]
    assert compose_preload(ours, once) == once       # nested cwrap run


def test_preload_without_existing_value():
    assert compose_preload(["/a.so", "/b.so"], None) == "/a.so:/b.so"
    assert compose_preload(["/a.so"], "") == "/a.so"


def test_run_is_subprocess_compatible(make_env, run_as):
    env = make_env()
    result = env.run(["sh", "-c", "cat; echo $SOCKET_WRAPPER_DIR"], input="hi\n",
                     capture_output=True, text=True, **run_as.kwargs())
    assert result.returncode == 0
    assert result.stdout == f"hi\n{env.socket_dir}\n"
    with pytest.raises(subprocess.CalledProcessError):
        env.run(["false"], check=True, **run_as.kwargs())
    assert env.failed


def test_extra_env_is_added_and_shims_stay(make_env, run_as):
    env = make_env(socket=True, nss=False, uid=False)
    result = env.run(["sh", "-c", "echo $FOO $LD_PRELOAD"], env={"FOO": "bar",
                     "LD_PRELOAD": "/x/liby.so"}, capture_output=True, text=True,
                     **run_as.kwargs())
    assert result.stdout.split() == ["bar", f"{cwrap.lib_path('socket')}:/x/liby.so"]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_close_stops_whole_process_groups(make_env, run_as, shared_tmp):
    env = make_env()
    pids = shared_tmp / "pids"
    proc = env.popen(["sh", "-c", f"sleep 600 & echo $! > {pids}; exec sleep 600"],
                     **run_as.kwargs())
    env.run(["sh", "-c", f"sleep 600 & echo $! >> {pids}"], **run_as.kwargs())
    deadline = time.monotonic() + 5
    while len(pids.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    background = [int(p) for p in pids.read_text().split()]
    assert all(_alive(p) for p in [proc.pid, *background])
    env.close()
    time.sleep(0.1)
    assert not any(_alive(p) for p in [proc.pid, *background])


def test_close_escalates_to_sigkill(make_env, run_as, shared_tmp):
    env = make_env(grace=0.3)
    ready = shared_tmp / "ready"
    proc = env.popen(["sh", "-c", f"trap '' TERM; : > {ready}; while :; do sleep 0.05; done"],
                     **run_as.kwargs())
    while not ready.exists():
        time.sleep(0.02)
    env.close()
    assert proc.returncode == -signal.SIGKILL


def test_failure_keeps_dir_and_prints_it(capsys, run_as):
    with cwrap.Environment() as env:
        state = env.dir
        env.run(["false"])
    try:
        assert state.is_dir()
        assert capsys.readouterr().err == (f"cwrap: kept state directory {state} "
                                           "(something run in it failed)\n")
    finally:
        subprocess.run(["rm", "-rf", str(state)])


def test_exception_in_block_keeps_dir():
    with pytest.raises(RuntimeError):
        with cwrap.Environment() as env:
            state = env.dir
            raise RuntimeError("boom")
    assert state.is_dir()
    subprocess.run(["rm", "-rf", str(state)])


def test_keep_false_removes_even_after_failure():
    with cwrap.Environment(keep=False) as env:
        state = env.dir
        env.run(["false"])
    assert not state.exists()


def test_existing_dir_is_never_removed(tmp_path):
    chosen = tmp_path / "st"
    chosen.mkdir()
    with cwrap.Environment(dir=chosen) as env:
        assert env.socket_dir == chosen / "s"
    assert chosen.is_dir()


def test_bad_options_are_config_errors():
    with pytest.raises(cwrap.ConfigError, match="expected 1 to 64"):
        cwrap.Environment(socket=cwrap.SocketConfig(default_iface=65)).start()
    with pytest.raises(cwrap.ConfigError, match="expected True, False or a SocketConfig"):
        cwrap.Environment(socket="yes")  # type: ignore[arg-type]
    with pytest.raises(cwrap.ConfigError, match="debug level"):
        cwrap.Environment(debug="chatty")


def test_programs_in_the_environment_see_the_shims(make_env, run_as, probes):
    env = make_env()
    result = env.run([str(probes("helpers_probe"))], capture_output=True, text=True,
                     **run_as.kwargs())
    assert result.returncode == 0, result.stderr
    assert "socket_wrapper_enabled=1" in result.stdout
    assert "nss_wrapper_enabled=1" in result.stdout
    assert "uid_wrapper_enabled=1" in result.stdout
