"""packaging/debian: built with dpkg-buildpackage from Debian's own
packages, lintian clean, installed with apt-get, and used as a normal
user: a server on fake host 127.0.0.10 port 80 and a client, through the
installed /usr/bin/cwrap and the system-installed shims."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, require_tool, user_environ

from .helpers import ENV, VERSION, check, copy_tree, run

DEBIAN = REPO / "packaging" / "debian"
PACKAGES = ("libcwrap-suite", "python3-cwrap")


@pytest.fixture(scope="module")
def debs() -> Iterator[dict[str, Path]]:
    """Builds the binary packages once: dpkg-buildpackage -us -uc -b in a
    copy of the tree with packaging/debian as debian/."""
    require_tool("dpkg-buildpackage")
    require_tool("dh")
    work = Path(tempfile.mkdtemp(prefix="cwdeb-"))
    src = copy_tree(work / f"cwrap-suite-{VERSION}")
    shutil.copytree(DEBIAN, src / "debian")
    check(run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src))
    arch = check(run(["dpkg", "--print-architecture"])).strip()
    yield {name: work / f"{name}_{VERSION}-1_{arch}.deb" for name in PACKAGES} | {
        "changes": work / f"cwrap-suite_{VERSION}-1_{arch}.changes"}
    shutil.rmtree(work, ignore_errors=True)


def _contents(deb: Path) -> list[str]:
    listing = check(run(["dpkg-deb", "-c", str(deb)]))
    return [line.split()[-1].lstrip(".") for line in listing.splitlines()]


def test_packages_hold_what_the_issue_asks(debs):
    triplet = check(run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"])).strip()
    lib = set(_contents(debs["libcwrap-suite"]))
    for shim in ("socket", "nss", "uid"):
        assert f"/usr/lib/{triplet}/cwrap-suite/libcwrap_{shim}.so" in lib
        assert f"/usr/lib/{triplet}/pkgconfig/cwrap_{shim}.pc" in lib
        assert f"/usr/lib/{triplet}/cmake/cwrap_{shim}/cwrap_{shim}-config.cmake" in lib
        assert f"/usr/lib/{triplet}/cmake/cwrap_{shim}/cwrap_{shim}-config-version.cmake" in lib
        assert f"/usr/share/man/man7/cwrap-{shim}.7.gz" in lib
    py = set(_contents(debs["python3-cwrap"]))
    assert "/usr/bin/cwrap" in py and "/usr/share/man/man1/cwrap.1.gz" in py
    assert "/usr/lib/python3/dist-packages/cwrap/_lib/system_libdir" in py
    assert not [p for p in py if p.endswith(".so")], "the shims belong to libcwrap-suite"
    fields = check(run(["dpkg-deb", "-f", str(debs["python3-cwrap"]), "Depends"]))
    for dep in ("libcwrap-suite (= ", "python3-click", "python3-cffi"):
        assert dep in fields


def test_lintian_clean(debs):
    """No error, warning or info tag (overrides are in packaging/debian and
    each says why).  Info tags are checked in the output: lintian 2.116's
    `--fail-on info` exits 2 even when it shows no tag."""
    lintian = require_tool("lintian")
    result = run([lintian, "--fail-on", "error,warning", "--display-info",
                  str(debs["changes"])])
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [l for l in result.stdout.splitlines() if l[:2] in ("E:", "W:", "I:")], \
        result.stdout


@pytest.fixture(scope="module")
def installed(debs) -> Iterator[None]:
    """apt-get install ./*.deb (dependencies from the archive), removed
    again afterwards so the machine is left as it was."""
    if os.geteuid() != 0:
        pytest.fail("installing the .deb needs root (CI runs as root)", pytrace=False)
    apt = require_tool("apt-get")
    env = {**ENV, "DEBIAN_FRONTEND": "noninteractive"}
    check(run([apt, "install", "-y", "--no-install-recommends",
               str(debs["libcwrap-suite"]), str(debs["python3-cwrap"])], env=env))
    yield
    check(run([apt, "purge", "-y", *PACKAGES], env=env))


def test_installed_package_smoke(installed, run_as, shared_tmp):
    """The autopkgtest (packaging/debian/tests/smoke) as a normal user:
    version, `cwrap lib`, `cwrap doctor`, then python3 -m http.server on
    127.0.0.10:80 and curl reaching it, all through /usr/bin/cwrap."""
    require_tool("curl")
    smoke = shared_tmp / "smoke"
    shutil.copy(DEBIAN / "tests" / "smoke", smoke)
    smoke.chmod(0o755)
    run_as.give(shared_tmp)
    env = user_environ(run_as, TMPDIR=str(shared_tmp))
    result = subprocess.run([str(smoke)], env=env, cwd=shared_tmp, capture_output=True,
                            text=True, timeout=120, **run_as.kwargs())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke: ok" in result.stdout


def test_installed_discovery_and_man_pages(installed):
    triplet = check(run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"])).strip()
    for shim in ("socket", "nss", "uid"):
        libs = check(run([require_tool("pkg-config"), "--libs", f"cwrap_{shim}"])).strip()
        assert libs == f"/usr/lib/{triplet}/cwrap-suite/libcwrap_{shim}.so"
        assert check(run(["/usr/bin/cwrap", "lib", shim])).strip() == libs
    for page in ("cwrap", "cwrap-socket", "cwrap-nss", "cwrap-uid"):
        assert check(run([require_tool("man"), "-w", page])).strip().startswith("/usr/share/man/")
    assert check(run(["/usr/bin/cwrap", "--version"])).strip() == f"cwrap {VERSION}"
