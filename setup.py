"""Builds the three preload shims with `make -C csrc` as part of the wheel.

Why setuptools with one custom step: the shims are plain ELF libraries,
not Python extensions, so no extension machinery fits; setuptools is
available everywhere (also Debian's own, for pybuild), needs no CMake or
ninja download, and an sdist builds wherever a C compiler exists.  The wheel
is tagged py3-none-<platform>: it works with any Python 3 but only on the
machine type it was compiled for.

CC, CFLAGS, CPPFLAGS and LDFLAGS are passed through to make.  Setting
CWRAP_SYSTEM_LIBDIR skips the build and makes the package use shims
installed there (distribution packages ship the shims themselves).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1 keeps it in the wheel package
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:  # making an sdist needs no wheel support
        bdist_wheel = None

HERE = Path(__file__).parent.resolve()
SHIMS = ("socket", "nss", "uid")


class BinaryDistribution(Distribution):
    """Marks the wheel as platform-specific (platlib), though it has no
    Python extension: it carries compiled shared libraries."""

    def has_ext_modules(self) -> bool:
        return True


class BuildShims(build_py):
    def run(self) -> None:
        super().run()
        system_libdir = os.environ.get("CWRAP_SYSTEM_LIBDIR")
        target = self._target_package_dir()
        target.mkdir(parents=True, exist_ok=True)
        if system_libdir:
            (target / "system_libdir").write_text(system_libdir + "\n")
            return
        build_dir = (HERE / "build" / "csrc").resolve()
        subprocess.run(
            ["make", "-C", str(HERE / "csrc"), f"BUILD={build_dir}",
             f"VERSION={(HERE / 'VERSION').read_text().strip()}"],
            check=True,
        )
        for shim in SHIMS:
            name = f"libcwrap_{shim}.so"
            self.copy_file(str(build_dir / name), str(target / name))

    def _target_package_dir(self) -> Path:
        if getattr(self, "editable_mode", False):
            return HERE / "cwrap" / "_lib"
        return Path(self.build_lib) / "cwrap" / "_lib"


commands: dict[str, type] = {"build_py": BuildShims}
if bdist_wheel is not None:

    class PlatformWheel(bdist_wheel):
        def get_tag(self) -> tuple[str, str, str]:
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    commands["bdist_wheel"] = PlatformWheel

setup(distclass=BinaryDistribution, cmdclass=commands)
