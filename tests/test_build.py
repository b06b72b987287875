"""The shims are plain C libraries: no Python inside, built by `make -C
csrc` alone as well as by the Python build, which honours CC/CFLAGS/LDFLAGS
and tags the wheel for the platform."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cwrap
from conftest import REPO, require_tool

ALLOWED_NEEDED = {"libc.so.6", "ld-linux-x86-64.so.2", "libdl.so.2", "libpthread.so.0"}


@pytest.mark.parametrize("shim", cwrap.SHIMS)
def test_shim_has_no_python_dependency(shim):
    readelf, nm = require_tool("readelf"), require_tool("nm")
    path = str(cwrap.lib_path(shim))
    dynamic = subprocess.run([readelf, "-d", path], capture_output=True, text=True, check=True).stdout
    needed = {line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line}
    assert needed and needed <= ALLOWED_NEEDED, needed
    undefined = subprocess.run([nm, "-D", "--undefined-only", path], capture_output=True,
                               text=True, check=True).stdout.split()
    assert not [s for s in undefined if s.startswith(("Py", "_Py"))]


@pytest.mark.parametrize("shim", cwrap.SHIMS)
def test_shim_exports_only_its_interface(shim):
    """Hidden visibility: the plumbing of one shim cannot interpose on
    another's when all three are preloaded."""
    out = subprocess.run([require_tool("nm"), "-D", "--defined-only", str(cwrap.lib_path(shim))],
                         capture_output=True, text=True, check=True).stdout
    exported = {line.split()[-1] for line in out.splitlines()}
    assert not [s for s in exported if s.startswith("cw_")]
    assert f"cwrap_{shim}_version" in exported


def test_make_builds_standalone_and_honours_the_flags(tmp_path):
    log = tmp_path / "cc.log"
    wrapper = tmp_path / "mycc"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec cc "$@"\n')
    wrapper.chmod(0o755)
    build = tmp_path / "build"
    subprocess.run(["make", "-C", str(REPO / "csrc"), f"BUILD={build}", f"CC={wrapper}",
                    "CFLAGS=-O1 -DCWRAP_TEST_CFLAG", "CPPFLAGS=-DCWRAP_TEST_CPPFLAG",
                    "LDFLAGS=-Wl,--build-id=none"], check=True, capture_output=True)
    for shim in cwrap.SHIMS:
        assert (build / f"libcwrap_{shim}.so").is_file()
    calls = log.read_text()
    assert "-DCWRAP_TEST_CFLAG" in calls and "-DCWRAP_TEST_CPPFLAG" in calls
    notes = subprocess.run(["readelf", "-n", str(build / "libcwrap_socket.so")],
                           capture_output=True, text=True).stdout
    assert "GNU_BUILD_ID" not in notes


@pytest.mark.parametrize("sanitize", ["", "address,undefined"])
def test_c_unit_tests(tmp_path, sanitize):
    args = ["make", "-C", str(REPO / "csrc"), "check", f"BUILD={tmp_path / 'b'}"]
    if sanitize:
        args.append(f"SANITIZE={sanitize}")
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    summaries = [l for l in result.stdout.splitlines() if " passed, " in l]
    assert len(summaries) >= 5 and all(l.endswith(" 0 failed") for l in summaries)


def _wheel_facts(wheel: Path) -> tuple[set[str], str]:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        return names, zf.read(meta).decode()


def _check_wheel(wheel: Path) -> None:
    assert wheel.name.endswith("-py3-none-linux_x86_64.whl"), wheel.name
    names, meta = _wheel_facts(wheel)
    for shim in cwrap.SHIMS:
        assert f"cwrap/_lib/libcwrap_{shim}.so" in names
    assert "Root-Is-Purelib: false" in meta


@pytest.mark.slow
def test_wheel_and_sdist(tmp_path):
    """pip wheel . gives a platform wheel with the shims; an sdist made from
    the tree builds the same wheel."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    src = tmp_path / "src"
    subprocess.run(["cp", "-a", str(REPO), str(src)], check=True)
    subprocess.run(["rm", "-rf", str(src / "csrc" / "build"), str(src / "build")], check=True)
    subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w1"), str(src)],
                   check=True)
    _check_wheel(next((tmp_path / "w1").glob("*.whl")))
    subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path / "sd")],
                   cwd=src, check=True, capture_output=True)
    sdist = next((tmp_path / "sd").glob("cwrap?suite-*.tar.gz"))
    subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w2"), str(sdist)],
                   check=True)
    _check_wheel(next((tmp_path / "w2").glob("*.whl")))
