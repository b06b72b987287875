"""Process-group plumbing shared by the Environment and `cwrap run`."""

from __future__ import annotations

import ctypes
import os
import signal
import time
from collections.abc import Callable

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
    kill_groups([pgid], grace)


def kill_groups(pgids: list[int], grace: float = 3.0,
                reap: Callable[[], None] | None = None) -> None:
    """SIGTERM every group at once, then SIGKILL what is left after `grace`
    (one grace period for all, not one each).  `reap` collects the caller's
    own exited children, which would otherwise keep a group "alive" as
    zombies."""
    alive = []
    for pgid in pgids:
        try:
            os.killpg(pgid, signal.SIGTERM)
            alive.append(pgid)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        if reap is not None:
            reap()
        alive = [pgid for pgid in alive if group_alive(pgid)]
        if alive:
            time.sleep(0.01)
    for pgid in alive:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
