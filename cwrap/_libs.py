"""Where the shim libraries are.

Order: $CWRAP_LIBDIR (a developer's build or a test of another build), the
libraries built into this package, then the system directory a
distribution package recorded at build time.  Paths are always absolute:
LD_PRELOAD with a bare name depends on the loader's search path and fails
with "cannot be preloaded: ignored".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from .errors import ShimNotFound

Shim = Literal["socket", "nss", "uid"]
SHIMS: tuple[Shim, ...] = ("socket", "nss", "uid")

_PACKAGE_LIBDIR = Path(__file__).resolve().parent / "_lib"


def library_name(shim: str) -> str:
    return f"libcwrap_{shim}.so"


def _candidate_dirs() -> list[Path]:
    dirs = []
    override = os.environ.get("CWRAP_LIBDIR")
    if override:
        dirs.append(Path(override))
    dirs.append(_PACKAGE_LIBDIR)
    recorded = _PACKAGE_LIBDIR / "system_libdir"
    if recorded.exists():
        dirs.append(Path(recorded.read_text().strip()))
    return dirs


def lib_path(shim: str) -> Path:
    """Absolute path of the shim library `shim` ("socket", "nss" or "uid")."""
    if shim not in SHIMS:
        raise ShimNotFound(f"unknown shim {shim!r}: choose one of {', '.join(SHIMS)}")
    dirs = _candidate_dirs()
    for directory in dirs:
        path = directory / library_name(shim)
        if path.is_file():
            return path.resolve()
    searched = ", ".join(str(d) for d in dirs)
    raise ShimNotFound(
        f"{library_name(shim)} not found (searched {searched}); "
        "reinstall cwrap-suite or set CWRAP_LIBDIR to a directory holding the shims"
    )
