"""A guard process that stops an environment's programs if the process
that owns the environment dies without closing it (SIGKILL, a crash).

The owner keeps a pipe to the guard and tells it each process group it
starts.  When the pipe reaches end-of-file — the owner closed it, or the
kernel did because the owner died — the guard stops every group it was
told about: SIGTERM, then SIGKILL after the grace period.  Nothing else
can notice a SIGKILLed owner reliably: a child's PR_SET_PDEATHSIG covers
only the direct child, not what that child started.

The guard runs serve(); the protocol on its stdin is one line per group:
"+PGID" to watch it, "-PGID" to forget it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from .process import kill_groups


class Watchdog:
    """The owner's end: starts the guard and reports groups to it."""

    def __init__(self, grace: float) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from cwrap.watchdog import serve; "
             "serve(float(sys.argv[1]))", str(grace)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True,
            close_fds=True, env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})
        assert self._proc.stdin is not None
        self._pipe = self._proc.stdin

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}\n")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}\n")

    def _send(self, line: str) -> None:
        try:
            self._pipe.write(line.encode())
            self._pipe.flush()
        except (BrokenPipeError, ValueError):
            pass

    def close(self) -> None:
        try:
            self._pipe.close()
        except BrokenPipeError:
            pass
        self._proc.wait()


def serve(grace: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    groups: set[int] = set()
    for raw in sys.stdin.buffer:
        line = raw.strip()
        if line[:1] == b"+":
            groups.add(int(line[1:]))
        elif line[:1] == b"-":
            groups.discard(int(line[1:]))
    kill_groups(sorted(groups), grace)

