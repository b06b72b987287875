"""packaging/arch/PKGBUILD: `makepkg --printsrcinfo` and a real
`makepkg --nodeps` build as a normal user (makepkg refuses root).  On
Debian the build uses Debian's python3 as `python`, so this checks the
recipe's mechanics: build, check (each shim preloaded into a real
program), package layout."""

from __future__ import annotations

import shutil
import subprocess
import tarfile

from conftest import REPO, require_tool, user_environ

from .helpers import VERSION, release_tarball

PKGBUILD = REPO / "packaging" / "arch" / "PKGBUILD"


def _makepkg(run_as, workdir, *args, timeout=300):
    bindir = workdir / "bin"
    bindir.mkdir(exist_ok=True)
    python = bindir / "python"
    if not python.exists():
        python.symlink_to(shutil.which("python3", path="/usr/bin:/bin"))
    run_as.give(workdir)
    # DEB_PYTHON_INSTALL_LAYOUT=deb: Debian's python3 then installs to /usr
    # as Arch's does (its default for pip-style installs is /usr/local).
    env = user_environ(run_as, DEB_PYTHON_INSTALL_LAYOUT="deb", PKGEXT=".pkg.tar.gz", SRCEXT=".src.tar.gz",
                       BUILDDIR=str(workdir / "build"), PKGDEST=str(workdir / "out"),
                       SRCDEST=str(workdir), PATH=f"{bindir}:/usr/bin:/bin")
    return subprocess.run([require_tool("makepkg"), *args], env=env, cwd=workdir,
                          capture_output=True, text=True, timeout=timeout,
                          **run_as.kwargs())


def test_printsrcinfo(run_as, shared_tmp):
    shutil.copy(PKGBUILD, shared_tmp / "PKGBUILD")
    result = _makepkg(run_as, shared_tmp, "--printsrcinfo")
    assert result.returncode == 0, result.stderr
    info = result.stdout
    assert f"\tpkgver = {VERSION}\n" in info
    assert "\tarch = x86_64\n" in info and "pkgname = python-cwrap-suite" in info
    for dep in ("python-click", "python-cffi", "glibc"):
        assert f"\tdepends = {dep}\n" in info


def test_makepkg_nodeps_builds_as_a_normal_user(run_as, shared_tmp):
    require_tool("bsdtar")
    require_tool("fakeroot")
    shutil.copy(PKGBUILD, shared_tmp / "PKGBUILD")
    release_tarball(shared_tmp)
    (shared_tmp / "out").mkdir()
    result = _makepkg(run_as, shared_tmp, "--nodeps", "--noconfirm", "--nocolor")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    packages = list((shared_tmp / "out").glob(f"python-cwrap-suite-{VERSION}-1-*.pkg.tar.gz"))
    assert len(packages) == 1, result.stdout
    with tarfile.open(packages[0]) as tar:
        names = set(tar.getnames())
    for shim in ("socket", "nss", "uid"):
        assert f"usr/lib/cwrap-suite/libcwrap_{shim}.so" in names
        assert f"usr/lib/pkgconfig/cwrap_{shim}.pc" in names
        assert f"usr/lib/cmake/cwrap_{shim}/cwrap_{shim}-config.cmake" in names
    assert "usr/bin/cwrap" in names
    assert [n for n in names if n.endswith("cwrap/_lib/system_libdir")]
    assert [n for n in names if n.startswith("usr/share/man/man1/cwrap.1")]
