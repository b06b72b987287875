"""`cwrap env`, `cwrap lib` and `cwrap doctor`, run as the unprivileged user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import cwrap
from conftest import require_tool


def test_env_sh_output_enters_the_world(run_user, cwrap_cli, probes):
    probe = probes("helpers_probe")
    script = f'eval "$({" ".join(cwrap_cli)} env --socket)"; {probe}; echo "DIR=$CWRAP_DIR"'
    result = run_user(["sh", "-c", script], env={"LD_PRELOAD": "/nonexistent/libmine.so"})
    assert "socket_wrapper_enabled=1" in result.stdout
    state = Path(result.stdout.split("DIR=")[1].strip())
    try:
        assert state.is_dir()                           # kept for the shell
    finally:
        shutil.rmtree(state, ignore_errors=True)


def test_env_json_and_fish(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "env", "--shell", "json", "--uid", "--root"],
                      env={"LD_PRELOAD": "/opt/libmine.so"})
    variables = json.loads(result.stdout)
    shutil.rmtree(variables["CWRAP_DIR"], ignore_errors=True)
    assert variables["UID_WRAPPER"] == "1" and variables["UID_WRAPPER_ROOT"] == "1"
    assert variables["LD_PRELOAD"] == f"{cwrap.lib_path('uid')}:/opt/libmine.so"
    result = run_user([*cwrap_cli, "env", "--shell", "fish", "--uid"])
    lines = result.stdout.splitlines()
    assert "set -gx UID_WRAPPER '1'" in lines
    state = next(l for l in lines if l.startswith("set -gx CWRAP_DIR"))
    shutil.rmtree(state.split("'")[1], ignore_errors=True)


def test_env_errors_are_one_line(run_user, cwrap_cli, shared_tmp):
    result = run_user([*cwrap_cli, "env", "--dir", str(shared_tmp / ("z" * 110))])
    assert result.returncode == 125 and result.stderr.count("\n") == 1
    assert "too long" in result.stderr


@pytest.mark.parametrize("shim", cwrap.SHIMS)
def test_lib_prints_the_absolute_path(run_user, cwrap_cli, shim):
    result = run_user([*cwrap_cli, "lib", shim])
    assert result.returncode == 0
    assert result.stdout == f"{cwrap.lib_path(shim)}\n"
    assert Path(result.stdout.strip()).is_absolute()


def test_lib_rejects_unknown_shim(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "lib", "pam"])
    assert result.returncode == 125 and result.stderr.count("\n") == 1


def test_lib_dir_override(run_user, cwrap_cli, shared_tmp):
    result = run_user([*cwrap_cli, "lib", "socket"], env={"CWRAP_LIBDIR": str(shared_tmp)})
    assert result.returncode == 0          # falls back to the package's own
    (shared_tmp / "libcwrap_socket.so").write_bytes(cwrap.lib_path("socket").read_bytes())
    result = run_user([*cwrap_cli, "lib", "socket"], env={"CWRAP_LIBDIR": str(shared_tmp)})
    assert result.stdout.strip() == str(shared_tmp / "libcwrap_socket.so")


def test_doctor_all_good(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "doctor"])
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 5 and all(l.startswith("ok ") for l in lines)
    assert lines[-1].startswith("ok   namespace backend: unprivileged user, network")


def test_doctor_state_base_too_long(run_user, cwrap_cli, shared_tmp):
    result = run_user([*cwrap_cli, "doctor"], env={"CWRAP_TMPDIR": str(shared_tmp / ("q" * 100))})
    assert result.returncode == 1
    assert any(l.startswith("BAD  state directory") for l in result.stdout.splitlines())


def test_doctor_broken_shim(run_user, cwrap_cli, shared_tmp):
    (shared_tmp / "libcwrap_nss.so").write_text("not a library")
    result = run_user([*cwrap_cli, "doctor"], env={"CWRAP_LIBDIR": str(shared_tmp)})
    assert result.returncode == 1
    assert "BAD  nss shim" in result.stdout and "does not preload" in result.stdout


@pytest.fixture
def programs(shared_tmp, run_as, probes):
    """A dynamic, a static, a setuid, a Go-marked program and a script."""
    dynamic = probes("helpers_probe")
    static = shared_tmp / "static"
    subprocess.run(["cc", "-static", "-o", str(static), "-x", "c", "-"],
                   input="int main(void){return 0;}", text=True, check=True)
    setuid = shared_tmp / "setuid"
    shutil.copy(dynamic, setuid)
    os.chmod(setuid, 0o4755)
    go = shared_tmp / "goish"
    note = shared_tmp / "note"
    note.write_bytes(b"\0" * 16)
    subprocess.run([require_tool("objcopy"), "--add-section", f".note.go.buildid={note}",
                    str(dynamic), str(go)], check=True)
    script = shared_tmp / "script"
    script.write_text("#!/usr/bin/env python3\nprint(1)\n")
    script.chmod(0o755)
    return {"dynamic": dynamic, "static": static, "setuid": setuid, "go": go, "script": script}


@pytest.mark.parametrize("kind,status,phrase", [
    ("dynamic", 0, "dynamically linked"),
    ("static", 1, "statically linked"),
    ("setuid", 1, "setuid/setgid"),
    ("go", 1, "a Go program"),
    ("script", 0, "a script run by"),
])
def test_doctor_explains_a_program(run_user, cwrap_cli, programs, kind, status, phrase):
    result = run_user([*cwrap_cli, "doctor", str(programs[kind])])
    assert result.returncode == status, result.stdout
    assert phrase in result.stdout


def test_doctor_missing_program(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "doctor", "no-such-program-here"])
    assert result.returncode == 1 and "BAD  no-such-program-here: not found" in result.stdout


def test_static_program_really_is_out_of_reach(run_user, programs, make_env, run_as):
    """What doctor says is true: the static program never loads the shim."""
    env = make_env()
    probe = subprocess.run(["sh", "-c", f"LD_DEBUG=libs {programs['static']} 2>&1 | wc -l"],
                           env=env.environ, capture_output=True, text=True, **run_as.kwargs())
    assert probe.stdout.strip() == "0"
