"""Long-running programs of an environment: servers with a name, their
output captured to files, readiness, and a graceful stop.

A Service is what Environment.spawn() returns.  Its stdout and stderr go
to <state dir>/logs/<name>.out and .err, so a failed test leaves behind
what each server said.  Readiness is observed, never guessed: a TCP or UDP
endpoint that listens (inotify on the socket directory) or a line in the
output that matches a pattern.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import IO, Any

from .errors import CwrapError
from .process import exit_status, kill_groups


class ServiceFailed(CwrapError):
    """A service exited (or never became ready) where it should be running."""


class Service:
    def __init__(self, name: str, proc: subprocess.Popen[Any], out: Path, err: Path,
                 host: Any = None) -> None:
        self.name = name
        self.proc = proc
        self.stdout_path = out
        self.stderr_path = err
        self.host = host
        self.stopped_by_us = False
        self.reported = False      # its failure was already raised to the caller

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def output(self) -> str:
        """Everything the service wrote so far (stdout, then stderr)."""
        return _read(self.stdout_path) + _read(self.stderr_path)

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Returns the first match of `pattern` in the service's output."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            match = regex.search(self.output())
            if match:
                return match
            self._check_alive(f"before printing {pattern!r}")
            if time.monotonic() > deadline:
                self.reported = True
                raise ServiceFailed(f"service {self.name} did not print {pattern!r} within "
                                    f"{timeout:g}s; its output is in {self.stdout_path.parent}")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _check_alive(self, when: str) -> None:
        code = self.proc.poll()
        if code is not None:
            self.reported = True
            raise ServiceFailed(f"service {self.name} exited with status {exit_status(code)} "
                                f"{when}; its output:\n{self.output()[-2000:]}")

    def stop(self, grace: float = 3.0) -> int:
        """SIGTERM its process group, SIGKILL after `grace`; returns the
        shell-style exit status."""
        if self.proc.poll() is None:
            self.stopped_by_us = True
            kill_groups([self.proc.pid], grace, reap=self.proc.poll)
        return exit_status(self.proc.wait())

    def __repr__(self) -> str:
        state = "running" if self.proc.poll() is None else f"exited {self.returncode}"
        return f"<Service {self.name} pid {self.pid} {state}>"


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def open_logs(log_dir: Path, name: str) -> tuple[Path, Path, IO[bytes], IO[bytes]]:
    log_dir.mkdir(exist_ok=True)
    out, err = log_dir / f"{name}.out", log_dir / f"{name}.err"
    return out, err, open(out, "ab"), open(err, "ab")
