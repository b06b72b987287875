"""The private directory an environment keeps its state in.

It holds the socket directory, the NSS files and the logs.  It lives under
a short base (/tmp by default) because every socket file's path must fit
in the 108 bytes of sockaddr_un.sun_path; a path that cannot fit is
refused here, before any program starts, with the numbers that matter.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import StateDirError

SUN_PATH_MAX = 108
SOCKET_NAME_LEN = 7          # T0A0007: type, 2 hex digits of interface, 4 of port
SOCKET_SUBDIR = "s"
# Longest socket directory the shim accepts: "<dir>/<name>" plus the NUL.
SOCKET_DIR_MAX = SUN_PATH_MAX - 1 - 1 - SOCKET_NAME_LEN


def default_base() -> Path:
    return Path(os.environ.get("CWRAP_TMPDIR") or "/tmp")


def socket_dir_of(state_dir: Path) -> Path:
    return state_dir / SOCKET_SUBDIR


def check_socket_dir_length(socket_dir: Path) -> None:
    length = len(os.fsencode(socket_dir))
    if length > SOCKET_DIR_MAX:
        raise StateDirError(
            f"socket directory {socket_dir} is too long ({length} bytes): socket "
            f"paths must fit in {SUN_PATH_MAX} bytes, so it may have at most "
            f"{SOCKET_DIR_MAX}; choose a shorter directory (e.g. under /tmp)"
        )


def create(path: Path | None = None, base: Path | None = None) -> tuple[Path, bool]:
    """Creates the state directory (mode 0700); returns it and whether it
    was made here (and so may be removed by us)."""
    if path is None:
        base = base or default_base()
        # Check the length with a same-sized name before creating anything.
        check_socket_dir_length(socket_dir_of(base.resolve() / "cw-XXXXXXXX"))
        try:
            made = Path(tempfile.mkdtemp(prefix="cw-", dir=base)).resolve()
        except OSError as exc:
            raise StateDirError(f"cannot create a state directory in {base}: "
                                f"{exc.strerror}") from exc
        created = True
    else:
        made = Path(path).absolute()
        check_socket_dir_length(socket_dir_of(made))
        created = not made.exists()
        try:
            made.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StateDirError(f"cannot create state directory {made}: "
                                f"{exc.strerror}") from exc
        if not made.is_dir():
            raise StateDirError(f"state directory {made} is not a directory")
    try:
        socket_dir_of(made).mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise StateDirError(f"cannot use state directory {made}: {exc.strerror}") from exc
    return made, created


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
