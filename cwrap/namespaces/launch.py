"""The environment's side of the namespace backend: start the holder,
and start programs inside its namespaces.

A program joins the namespaces in the child, between fork and exec (a
subprocess preexec function: setns() on descriptors the parent opened
once), so no launcher process is paid for: the cost per program is four
system calls.  A program started on a fake host also gets a UTS
namespace of its own with that host's name.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CwrapError
from ..process import die_with_parent
from . import _sys
from .probe import explain

#: The order matters: the user namespace first gives the capabilities
#: the other setns() calls need.
NAMESPACES = (("user", _sys.CLONE_NEWUSER), ("mnt", _sys.CLONE_NEWNS),
              ("net", _sys.CLONE_NEWNET), ("uts", _sys.CLONE_NEWUTS))


# The holder imports a few modules of the package, not the package: its
# __init__ (importlib.metadata, the Environment and all it needs) would
# double the holder's start-up (about 0.25 s measured here).
_BOOT = ("import sys, types; cwrap = types.ModuleType('cwrap'); cwrap.__path__ = [{dir!r}]; "
         "sys.modules['cwrap'] = cwrap; from cwrap.namespaces.holder import main; main()")


class NamespaceError(CwrapError):
    """The namespaces cannot be created or joined; the message says why."""


class Holder:
    """One environment's namespaces, held by a process (holder.py)."""

    def __init__(self, config: dict[str, Any], owner: tuple[int, int] | None,
                 timeout: float = 20.0) -> None:
        kwargs: dict[str, Any] = {}
        if owner is not None and owner[0] != os.geteuid():
            kwargs = {"user": owner[0], "group": owner[1], "extra_groups": []}
        self.owner = owner or (os.geteuid(), os.getegid())
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT.format(dir=str(Path(__file__).parent.parent)),
             json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            start_new_session=True, close_fds=True, preexec_fn=die_with_parent, **kwargs)
        answer = self._read_line(timeout)
        if answer != "ready":
            self.proc.kill()
            self.proc.wait()
            raise NamespaceError(self._describe(answer))
        self._fds: list[tuple[int, int]] = []
        try:
            for name, nstype in NAMESPACES:
                fd = os.open(f"/proc/{self.proc.pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)
                self._fds.append((fd, nstype))
        except OSError as exc:
            self.close()
            raise NamespaceError(f"cannot open the namespaces of the holder process: {exc}") \
                from exc

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        import selectors
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                return f"error setup 0 no answer from the holder after {timeout:g}s"
        return self.proc.stdout.readline().strip()

    @staticmethod
    def _describe(answer: str) -> str:
        if not answer:
            return "the namespace holder process died while starting"
        parts = answer.split(" ", 3)
        if len(parts) < 3 or parts[0] != "error":
            return f"the namespace holder answered {answer!r}"
        step, err = parts[1], int(parts[2]) if parts[2].isdigit() else 0
        message = parts[3] if len(parts) > 3 else ""
        if step in ("unshare", "uid_map", "capability") and err:
            return "cannot create the namespaces: " + explain(step, err)
        return f"cannot set up the namespaces ({step}): {message}"

    def command(self, line: str) -> None:
        """Sends one command and waits for its answer."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise NamespaceError("the namespace holder process is gone") from exc
        answer = self._read_line(10.0)
        if answer != "ok":
            raise NamespaceError(f"the namespace holder refused {line.split()[0]}: {answer}")

    def enter(self, hostname: str | None = None,
              then: Callable[[], Any] | None = None) -> Callable[[], None]:
        """A preexec function: joins the namespaces (keeping the working
        directory), gives the program its own host name if asked."""
        fds = list(self._fds)
        owner = self.owner[0]

        def preexec() -> None:
            if os.geteuid() != owner:
                raise NamespaceError(f"the namespaces belong to uid {owner}; a program "
                                     f"cannot join them as uid {os.geteuid()}")
            cwd = os.getcwd()
            for fd, nstype in fds:
                _sys.setns(fd, nstype)
            os.chdir(cwd)
            if hostname is not None:
                _sys.unshare(_sys.CLONE_NEWUTS)
                _sys.sethostname(hostname)
            if then is not None:
                then()

        return preexec

    def close(self) -> None:
        for fd, _ in getattr(self, "_fds", []):
            os.close(fd)
        self._fds = []
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def net_dir(pid: int) -> Path:
    """/proc/PID/net: the network namespace of a process, seen from outside."""
    return Path(f"/proc/{pid}/net")
