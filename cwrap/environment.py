"""cwrap.Environment: one isolated fake world, and the processes run in it.

An Environment owns a private state directory and composes the variables
of the shims it enables.  Everything it starts runs in a process group of
its own, so closing the environment can stop each program together with
whatever that program started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from . import statedir
from ._libs import SHIMS, lib_path
from .errors import ConfigError, StateDirError
from .nss import NssConfig
from .preload import compose_preload
from .process import group_alive, kill_group
from .socket import Capture, Endpoint, SocketConfig, read_capture, wait_for
from .uid import UidConfig

_LEVELS = {"error": "0", "warn": "1", "debug": "2", "trace": "3"}


def _debug_level(value: int | str | None) -> str | None:
    if value is None:
        return None
    text = str(value).lower()
    if text in _LEVELS.values():
        return text
    if text in _LEVELS:
        return _LEVELS[text]
    raise ConfigError(f"debug level {value!r} is not valid: expected 0-3 or "
                      "error, warn, debug, trace")


class Environment:
    """A fake network, user database and identity for the programs it runs.

    Use it as a context manager::

        with cwrap.Environment(socket=True, nss=True, uid=True) as env:
            env.run(["id"])

    Each shim argument takes True (defaults), False, or its config object
    (SocketConfig, NssConfig, UidConfig).  `pcap`: capture the fake
    network's traffic, True to <dir>/capture.pcap or to the path given
    (see capture()).  `keep`: None keeps the state
    directory only when something run in it failed; True always; False
    never.  `dir`: use this directory instead of a new one under /tmp (or
    $CWRAP_TMPDIR); a directory that already existed is never removed.
    """

    def __init__(
        self,
        socket: bool | SocketConfig = True,
        nss: bool | NssConfig = True,
        uid: bool | UidConfig = True,
        *,
        root: bool = False,
        dir: str | os.PathLike[str] | None = None,
        keep: bool | None = None,
        base_environ: Mapping[str, str] | None = None,
        debug: int | str | None = None,
        grace: float = 3.0,
        pcap: bool | str | os.PathLike[str] = False,
    ) -> None:
        self.socket = _config(socket, SocketConfig)
        if pcap and self.socket is None:
            raise ConfigError("pcap needs the socket shim")
        self._pcap = pcap
        self.nss = _config(nss, NssConfig)
        self.uid = _config(uid, UidConfig)
        if root:
            self.uid = self.uid or UidConfig()
            self.uid.root = True
        self.keep = keep
        self.debug = _debug_level(debug)
        self.grace = grace
        self.failed = False
        self._requested_dir = Path(dir) if dir is not None else None
        self._base = dict(os.environ if base_environ is None else base_environ)
        self._dir: Path | None = None
        self._created = False
        self._variables: dict[str, str] = {}
        self._children: list[subprocess.Popen[Any]] = []
        self._groups: set[int] = set()

    # -- lifecycle -------------------------------------------------------

    def __enter__(self) -> Environment:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close(failed=exc_type is not None)

    def start(self) -> None:
        if self._dir is not None:
            return
        self._dir, self._created = statedir.create(self._requested_dir)
        try:
            self._variables = self._compose_variables()
        except OSError as exc:
            self._remove_dir()
            raise StateDirError(f"cannot write the environment's files in {self._dir}: "
                                f"{exc.strerror}") from exc
        except BaseException:
            self._remove_dir()
            raise

    def close(self, failed: bool = False) -> None:
        """Stops everything still running, then removes the directory unless
        it is to be kept."""
        if self._dir is None:
            return
        for child in self._children:
            code = child.poll()
            if code is not None and code != 0:
                self.failed = True
        for pgid in sorted(self._groups):
            if group_alive(pgid):
                kill_group(pgid, self.grace)
        for child in self._children:
            try:
                child.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()
        self._groups.clear()
        keep = self.keep if self.keep is not None else (failed or self.failed)
        if keep and self._created:
            why = "as asked" if self.keep else "something run in it failed"
            print(f"cwrap: kept state directory {self._dir} ({why})", file=sys.stderr)
        elif self._created:
            self._remove_dir()
        self._dir = None

    def _remove_dir(self) -> None:
        if self._dir is not None and self._created:
            statedir.remove(self._dir)
        self._dir = None

    # -- what programs get -------------------------------------------------

    @property
    def dir(self) -> Path:
        """The state directory (sockets, NSS files, logs)."""
        if self._dir is None:
            raise RuntimeError("the environment is not started: use it in a with-block")
        return self._dir

    @property
    def socket_dir(self) -> Path:
        return statedir.socket_dir_of(self.dir)

    @property
    def shims(self) -> list[str]:
        enabled = {"socket": self.socket, "nss": self.nss, "uid": self.uid}
        return [s for s in SHIMS if enabled[s] is not None]

    @staticmethod
    def lib_path(shim: str) -> Path:
        return lib_path(shim)

    @property
    def variables(self) -> dict[str, str]:
        """Only the variables this environment sets (without LD_PRELOAD)."""
        self.dir  # noqa: B018 - raises when not started
        return dict(self._variables)

    @property
    def environ(self) -> dict[str, str]:
        """The full environment for a program run in this fake world."""
        return self.compose(self._base)

    def compose(self, base: Mapping[str, str]) -> dict[str, str]:
        """`base` with this environment's variables and shims applied."""
        out = dict(base)
        out.update(self.variables)
        ours = [str(lib_path(s)) for s in self.shims]
        out["LD_PRELOAD"] = compose_preload(ours, base.get("LD_PRELOAD"))
        return out

    def _compose_variables(self) -> dict[str, str]:
        out: dict[str, str] = {"CWRAP_DIR": str(self.dir)}
        if self.socket is not None and self._pcap:
            self.socket.pcap_file = (self.dir / "capture.pcap" if self._pcap is True
                                     else Path(self._pcap).absolute())
        if self.socket is not None:
            out.update(self.socket.variables(self.socket_dir))
        if self.nss is not None:
            out.update(self.nss.variables(self.dir))
        if self.uid is not None:
            out.update(self.uid.variables())
        if self.debug is not None:
            for prefix in ("SOCKET", "NSS", "UID"):
                out[f"{prefix}_WRAPPER_DEBUGLEVEL"] = self.debug
        return out

    @property
    def capture_path(self) -> Path | None:
        """The capture file, when the fake network is captured."""
        pcap = self.socket.pcap_file if self.socket is not None else None
        return Path(pcap) if pcap is not None else None

    def capture(self) -> Capture:
        """What the capture holds so far: packets and flows."""
        path = self.capture_path
        if path is None:
            raise ConfigError("this environment does not capture: Environment(pcap=True)")
        if not path.exists():
            return Capture([])
        return read_capture(path)

    def wait_listening(self, address: str, port: int, proto: str = "tcp",
                       timeout: float = 10.0) -> None:
        """Returns once a program in this environment listens on the fake
        `address`:`port` (watching the socket directory, no sleep loop)."""
        network = (self.socket.ipv4_network if self.socket else None) or "127.0.0.0"
        endpoint = Endpoint.parse(address, port, proto, network)  # type: ignore[arg-type]
        wait_for(self.socket_dir, endpoint, timeout)

    # -- running programs --------------------------------------------------

    def popen(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.Popen[Any]:
        """subprocess.Popen in this environment.  `env=` adds to (and may
        override) the environment's variables; the shims stay preloaded.
        The process gets a process group of its own unless `process_group`
        or `start_new_session` says otherwise."""
        extra = kwargs.pop("env", None) or {}
        kwargs["env"] = self.compose({**self._base, **extra})
        if "start_new_session" not in kwargs:
            kwargs.setdefault("process_group", 0)
        proc = subprocess.Popen(argv, **kwargs)
        self._children.append(proc)
        self._track_group(proc.pid, kwargs)
        return proc

    def run(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """subprocess.run in this environment; a non-zero exit marks the
        environment as failed (its directory is then kept)."""
        extra = kwargs.pop("env", None) or {}
        kwargs["env"] = self.compose({**self._base, **extra})
        if "start_new_session" not in kwargs:
            kwargs.setdefault("process_group", 0)
        check = kwargs.pop("check", False)
        stdin_data = kwargs.pop("input", None)
        timeout = kwargs.pop("timeout", None)
        if kwargs.pop("capture_output", False):
            kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
        if stdin_data is not None:
            kwargs["stdin"] = subprocess.PIPE
        with subprocess.Popen(argv, **kwargs) as proc:
            # Its group is stopped at close(): background children of a
            # finished command must not outlive the environment.
            self._track_group(proc.pid, kwargs)
            try:
                stdout, stderr = proc.communicate(stdin_data, timeout=timeout)
            except BaseException:
                proc.kill()
                raise
        result = subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)
        if result.returncode != 0:
            self.failed = True
            if check:
                raise subprocess.CalledProcessError(result.returncode, argv,
                                                    stdout, stderr)
        return result

    def _track_group(self, pid: int, kwargs: Mapping[str, Any]) -> None:
        if kwargs.get("process_group") == 0 or kwargs.get("start_new_session"):
            self._groups.add(pid)

    def __repr__(self) -> str:
        where = self._dir if self._dir is not None else "not started"
        return f"<cwrap.Environment {'+'.join(self.shims) or 'no shims'} at {where}>"


def _config(value: Any, kind: type) -> Any:
    if value is True:
        return kind()
    if value is False or value is None:
        return None
    if isinstance(value, kind):
        return value
    raise ConfigError(f"expected True, False or a {kind.__name__}, not {value!r}")
