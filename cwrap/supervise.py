"""Running one command in the foreground the way env(1) and bwrap do:
the exit status is the command's, signals sent to us reach it, and it
never outlives us.

The command gets a process group of its own, so stopping it also stops
whatever it started.  On a terminal that group becomes the foreground
group: Ctrl-C and job control then work on the command directly, as if it
had been started by the shell.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

from .process import die_with_parent, exit_status, kill_group

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
             signal.SIGUSR1, signal.SIGUSR2)

EXIT_CWRAP_ERROR = 125
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127


class CommandError(Exception):
    """The command could not be started; `status` is what env(1) would exit with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def resolve(command: str, environ: Mapping[str, str]) -> str:
    if "/" in command:
        if not os.path.exists(command):
            raise CommandError(EXIT_NOT_FOUND, f"{command}: no such file or directory")
        path = command
    else:
        found = shutil.which(command, path=environ.get("PATH", os.defpath))
        if found is None:
            raise CommandError(EXIT_NOT_FOUND, f"{command}: command not found")
        path = found
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise CommandError(EXIT_NOT_EXECUTABLE, f"{command}: permission denied")
    return path


def _terminal_fd() -> int | None:
    """stdin when it is our controlling terminal and we are in its
    foreground group (an interactive shell started us)."""
    try:
        if os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp():
            return 0
    except OSError:
        pass
    return None


def _child_setup(tty: int | None, enter: Callable[[], None] | None) -> None:
    die_with_parent()
    if tty is not None:
        # Take the terminal: SIGTTOU would stop a background group doing so.
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(tty, os.getpid())
        signal.signal(signal.SIGTTOU, old)
    if enter is not None:
        enter()


def run_foreground(argv: Sequence[str], environ: Mapping[str, str], grace: float = 3.0,
                   enter: Callable[[], None] | None = None) -> int:
    """Runs argv to completion and returns its shell exit status.  `enter`
    runs in the child just before exec (the namespace backend joins the
    environment's namespaces there)."""
    path = resolve(argv[0], environ)
    tty = _terminal_fd()
    child: subprocess.Popen[bytes] | None = None
    # A signal can come while Popen() is still returning, after the program
    # started (on a loaded machine it may even be ready by then): it is
    # kept and sent once `child` is known, never dropped.
    pending: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is None:
            pending.append(signum)
            return
        if child.returncode is None:
            try:
                os.kill(child.pid, signum)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        try:
            child = subprocess.Popen([path, *argv[1:]], executable=path, env=dict(environ),
                                     process_group=0, preexec_fn=lambda: _child_setup(tty, enter))
        except PermissionError as exc:
            raise CommandError(EXIT_NOT_EXECUTABLE, f"{argv[0]}: {exc.strerror}") from exc
        except OSError as exc:
            raise CommandError(EXIT_NOT_EXECUTABLE, f"{argv[0]}: {exc.strerror}") from exc
        while pending:
            forward(pending.pop(0), None)
        returncode = child.wait()
    finally:
        if child is not None:
            if child.returncode is None:
                child.kill()
                child.wait()
            kill_group(child.pid, grace)
        if tty is not None:
            _reclaim_terminal(tty)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_status(returncode)


def _reclaim_terminal(tty: int) -> None:
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, os.getpgrp())
    except OSError:
        pass
    finally:
        signal.signal(signal.SIGTTOU, old)


def fail(message: str, status: int = EXIT_CWRAP_ERROR) -> int:
    print(f"cwrap: {message}", file=sys.stderr)
    return status
