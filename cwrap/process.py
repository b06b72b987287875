"""Process-group plumbing shared by the Environment and `cwrap run`."""

from __future__ import annotations

import ctypes
import os
import signal
import time

_PR_SET_PDEATHSIG = 1


def exit_status(returncode: int) -> int:
    """A shell's view of a child's end: its code, or 128+N for signal N."""
    return 128 - returncode if returncode < 0 else returncode


def die_with_parent() -> None:
    """Runs in the child before exec: SIGKILL it when its parent dies, so a
    wrapped program never outlives a cwrap that was killed itself."""
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(125)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pgid: int, grace: float = 3.0) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left after `grace`."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return
        time.sleep(0.01)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
