"""pkg-config and CMake discovery of the shims, as upstream cwrap offers
it, installed by `make -C csrc install` (the recipes all use it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, require_tool, user_environ

from .helpers import VERSION, check, run

SHIMS = ("socket", "nss", "uid")
PROJECT = Path(__file__).resolve().parent / "cmake_project"


@pytest.fixture(scope="module")
def prefix() -> Iterator[Path]:
    """make install into a staging DESTDIR, then moved to PREFIX as a
    package manager would unpack it; readable by the unprivileged user."""
    root = Path(tempfile.mkdtemp(prefix="cwdisc-"))
    prefix, dest = root / "prefix", root / "dest"
    check(run(["make", "-C", str(REPO / "csrc"), "install", f"BUILD={root / 'build'}",
               f"PREFIX={prefix}", f"DESTDIR={dest}", f"SHIMDIR={prefix}/lib/cwrap-suite"]))
    shutil.move(str(dest / str(prefix).lstrip("/")), prefix)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield prefix
    shutil.rmtree(root, ignore_errors=True)


def _pkg_config(prefix: Path, *args: str) -> str:
    env = {**os.environ, "PKG_CONFIG_PATH": str(prefix / "lib" / "pkgconfig")}
    return check(run([require_tool("pkg-config"), *args], env=env)).strip()


@pytest.mark.parametrize("shim", SHIMS)
def test_pkg_config_libs_is_the_absolute_path(prefix, shim):
    libs = _pkg_config(prefix, "--libs", f"cwrap_{shim}")
    assert libs == f"{prefix}/lib/cwrap-suite/libcwrap_{shim}.so"
    assert Path(libs).is_file(), "the path left DESTDIR out"
    assert _pkg_config(prefix, "--modversion", f"cwrap_{shim}") == VERSION
    assert (prefix / "share" / "man" / "man7" / f"cwrap-{shim}.7").is_file()


def test_cmake_find_package_from_a_c_project(prefix, run_as, shared_tmp):
    """A small CMake project finds the three shims, and its tests (run by
    ctest as a normal user) are a fake root and a bind to port 80."""
    cmake, ctest = require_tool("cmake"), require_tool("ctest")
    require_tool("cc")
    build = shared_tmp / "build"
    env = user_environ(run_as)
    kwargs = dict(env=env, cwd=shared_tmp, capture_output=True, text=True, timeout=300,
                  **run_as.kwargs())
    configure = subprocess.run([cmake, "-S", str(PROJECT), "-B", str(build),
                                f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCWRAP_VERSION={VERSION}"],
                               **kwargs)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    for shim in SHIMS:
        assert (f"CWRAP_{shim.upper()}_LIBRARY={prefix}/lib/cwrap-suite/libcwrap_{shim}.so"
                in configure.stdout)
    built = subprocess.run([cmake, "--build", str(build)], **kwargs)
    assert built.returncode == 0, built.stdout + built.stderr
    tested = subprocess.run([ctest, "--test-dir", str(build), "--output-on-failure"], **kwargs)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "100% tests passed" in tested.stdout
    if run_as.dropping or os.geteuid() != 0:
        # Without the shim the user is not root.
        plain = subprocess.run([str(build / "whoami")], **kwargs)
        assert not plain.stdout.startswith("uid=0 ")


def test_cmake_version_checks(prefix, shared_tmp):
    """A newer or incompatible version asked for is refused."""
    cmake = require_tool("cmake")
    project = shared_tmp / "versions"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(v LANGUAGES NONE)\n"
        "find_package(cwrap_socket ${WANT} QUIET)\n"
        'message(STATUS "found=${cwrap_socket_FOUND}")\n')
    major, minor = (int(x) for x in VERSION.split(".")[:2])
    cases = {VERSION: "1", f"{major}.{minor + 1}": "0", f"{major + 1}.0": "0",
             f"{major}.{minor}...{major + 1}": "1", f"{major + 2}...{major + 3}": "0"}
    for want, found in cases.items():
        out = check(run([cmake, "-S", str(project), "-B", str(project / "b"),
                         f"-DCMAKE_PREFIX_PATH={prefix}", f"-DWANT={want}"]))
        assert f"found={found}" in out, (want, out)
        shutil.rmtree(project / "b")
