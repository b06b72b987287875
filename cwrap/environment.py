"""cwrap.Environment: one isolated fake world, and the processes run in it.

An Environment owns a private state directory and composes the variables
of the shims it enables.  Everything it starts runs in a process group of
its own, so closing the environment can stop each program together with
whatever that program started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from . import statedir
from ._libs import SHIMS, lib_path
from .errors import ConfigError, StateDirError
from .hosts import FakeHost, HostTable
from .namespaces.backend import NamespaceSide, check_backend, out_of_preload_reach, warn
from .nss import Group, Host, NssConfig, User
from .preload import compose_preload
from .process import exit_status, group_alive, kill_groups
from .services import Service, ServiceFailed, open_logs
from .socket import Capture, Endpoint, SocketConfig, read_capture, wait_for
from .uid import UidConfig
from .watchdog import Watchdog

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

    `backend`: "preload" (the shims, the default), "namespaces" (every
    program in a user + network + mount + UTS namespace of the
    environment, without shims: see docs/namespaces.md) or "auto"
    (namespaces for the programs LD_PRELOAD cannot reach, preload for the
    others; preload alone, with a warning, where namespaces do not work).
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
        domain: str = "cwrap.test",
        pcap: bool | str | os.PathLike[str] = False,
        backend: str = "preload",
    ) -> None:
        self.backend = check_backend(backend)
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
        self._services: dict[str, Service] = {}
        network = (self.socket.ipv4_network if self.socket else None) or "127.0.0.0"
        self._hosts = HostTable(domain, network)
        self._watchdog: Watchdog | None = None
        self._ns: NamespaceSide | None = None

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
        if self.backend == "namespaces":
            NamespaceSide.check_available()
        elif self.backend == "auto":
            warning = NamespaceSide.fallback_warning()
            if warning is not None:
                warn(warning)
                self.backend = "preload"
        self._dir, self._created = statedir.create(self._requested_dir)
        try:
            self._variables = self._compose_variables()
            self._save_for_joining()
            if self.backend != "preload":
                network = (self.socket.ipv4_network if self.socket else None) or "127.0.0.0"
                self._ns = NamespaceSide(self._dir, network,
                                         self.socket_dir if self.socket else None,
                                         self.socket.pcap_file if self.socket else None)
                self._ns_files()
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
        self._report_dead_services()
        for child in self._children:
            code = child.poll()
            if code is not None and code != 0 and not self._is_stopped_service(child):
                self.failed = True
        live = [pgid for pgid in sorted(self._groups) if group_alive(pgid)]
        kill_groups(live, self.grace, reap=self._reap)
        for child in self._children:
            try:
                child.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self._ns is not None:
            self._ns.close()
            self._ns = None
        if self._watchdog is not None:
            self._watchdog.close()
            self._watchdog = None
        self._children.clear()
        self._groups.clear()
        self._services.clear()
        keep = self.keep if self.keep is not None else (failed or self.failed)
        if keep and self._created:
            why = "as asked" if self.keep else "something run in it failed"
            print(f"cwrap: kept state directory {self._dir} ({why})", file=sys.stderr)
        elif self._created:
            self._remove_dir()
        self._dir = None

    def detach(self) -> Path:
        """Leaves the state directory to the caller, who outlives this
        object (`cwrap env` prints variables for a shell to use later):
        nothing is stopped or removed.  Returns the directory."""
        state = self.dir
        if self._watchdog is not None:
            for pgid in self._groups:
                self._watchdog.forget(pgid)
            self._watchdog.close()
            self._watchdog = None
        self._children.clear()
        self._groups.clear()
        self._services.clear()
        self._dir = None
        return state

    def _reap(self) -> None:
        for child in self._children:
            child.poll()
        if self._ns is not None and self._ns.holder is not None:
            self._ns.holder.proc.poll()

    def _is_stopped_service(self, child: subprocess.Popen[Any]) -> bool:
        return any(s.proc is child and s.stopped_by_us for s in self._services.values())

    def _report_dead_services(self) -> None:
        """A service that died on its own is a failure worth telling."""
        for service in self._services.values():
            code = service.proc.poll()
            if code is not None and not service.stopped_by_us:
                self.failed = True
                if service.reported:
                    continue
                print(f"cwrap: service {service.name} exited with status "
                      f"{exit_status(code)}; its output: {service.stdout_path} "
                      f"{service.stderr_path}", file=sys.stderr)

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
        if self._ns is not None and self._ns.holder is not None and \
                (self.socket is None or proto == "udp"):
            # No listener file for it: ask the namespace's kernel.
            self._ns.wait_listening(address, port, proto, timeout)
            return
        started = time.monotonic()
        wait_for(self.socket_dir, endpoint, timeout)
        if self._ns is not None and self._ns.holder is not None and proto == "tcp":
            # Bridged both ways: the namespace's side listens too.
            left = max(timeout - (time.monotonic() - started), 0.5)
            self._ns.wait_listening(address, port, proto, left)

    # -- the fake accounts and hosts (NSS shim) ---------------------------

    def _nss_config(self) -> NssConfig:
        if self.nss is None:
            raise ConfigError("the NSS shim is off in this environment (nss=False)")
        return self.nss

    def _nss_rewrite(self) -> None:
        # Running programs see the change on their next lookup.
        if self._dir is not None and self.nss is not None:
            self._variables.update(self.nss.variables(self.dir))
            self._ns_files()

    def _ns_files(self) -> None:
        """The namespaces' /etc follows the environment's files."""
        if self._ns is not None:
            self._ns.set_files(self._variables, self.nss.hostname if self.nss else None)

    def add_user(self, name: str, uid: int | None = None, gid: int | None = None,
                 **kwargs: Any) -> User:
        """A fake user (see NssConfig.add_user); usable before or after start."""
        user = self._nss_config().add_user(name, uid, gid, **kwargs)
        self._nss_rewrite()
        return user

    def add_group(self, name: str, gid: int | None = None,
                  members: Sequence[str] = ()) -> Group:
        group = self._nss_config().add_group(name, gid, members)
        self._nss_rewrite()
        return group

    def add_host(self, name: str, *addresses: str, aliases: Sequence[str] = ()) -> list[Host]:
        hosts = self._nss_config().add_host(name, *addresses, aliases=aliases)
        self._nss_rewrite()
        return hosts

    # -- fake hosts ----------------------------------------------------------

    def host(self, name: str, iface: int | None = None) -> FakeHost:
        """A fake host: an interface of its own (the next free from 10), its
        IPv4 and IPv6 addresses, and — with the NSS shim — entries for the
        name and NAME.DOMAIN in the hosts file.  Asking again for the same
        name returns the same host."""
        known = {h.name for h in self._hosts}
        host = self._hosts.add(name, iface)
        if name not in known and self.nss is not None:
            self.add_host(host.fqdn, host.ipv4, host.ipv6, aliases=[host.name])
        if name not in known and self._ns is not None:
            self._ns.set_hosts([h.iface for h in self._hosts])
        return host

    @property
    def hosts(self) -> list[FakeHost]:
        return list(self._hosts)

    def _identity_environ(self, name: str | None) -> dict[str, str]:
        """UID shim variables that make a process start as the fake user
        `name` (its uid, primary gid and the groups that list it)."""
        if name is None:
            return {}
        if self.uid is None or self.nss is None:
            raise ConfigError("as_user= needs the UID and NSS shims (uid=True, nss=True)")
        user = next((u for u in self.nss.users if u.name == name), None)
        if user is None:
            raise ConfigError(f"no fake user {name!r}: add it with env.add_user({name!r})")
        groups = sorted({user.gid} | {g.gid for g in self.nss.groups if name in g.members})
        return {"UID_WRAPPER": "1", "UID_WRAPPER_ROOT": "0",
                "UID_WRAPPER_INITIAL_UID": str(user.uid),
                "UID_WRAPPER_INITIAL_GID": str(user.gid),
                "UID_WRAPPER_INITIAL_GROUPS": ",".join(map(str, groups))}

    def backend_for(self, argv0: str | os.PathLike[str],
                    environ: Mapping[str, str] | None = None) -> str:
        """"preload" or "namespaces": where this environment runs argv0."""
        if self.backend != "auto":
            return self.backend
        path_env = (environ or self._base).get("PATH")
        return "namespaces" if out_of_preload_reach(argv0, path_env) else "preload"

    def _prepare(self, argv: Sequence[str | os.PathLike[str]], kwargs: dict[str, Any]) -> None:
        """The subprocess kwargs of one program, for its backend."""
        extra = kwargs.get("env") or {}
        chosen = kwargs.pop("backend", None) or self.backend_for(argv[0], {**self._base, **extra})
        if chosen not in ("preload", "namespaces"):
            raise ConfigError(f"backend={chosen!r}: expected 'preload' or 'namespaces'")
        if chosen == "namespaces" and self._ns is None:
            raise ConfigError("backend='namespaces' for one program needs an environment "
                              "with backend='namespaces' or 'auto'")
        if chosen == "preload":
            kwargs["env"] = self._process_environ(kwargs)
            return
        assert self._ns is not None
        kwargs.pop("env", None)
        host = kwargs.pop("host", None)
        if isinstance(host, str):
            host = self._hosts.get(host)
        as_user = kwargs.pop("as_user", None)
        if as_user is not None:
            user = next((u for u in (self.nss.users if self.nss else []) if u.name == as_user),
                        None)
            if user is None or user.uid != 0:
                raise ConfigError(f"as_user={as_user!r}: the namespace backend runs every "
                                  "program as root of its namespace (one uid mapped); "
                                  "see docs/namespaces.md")
        kwargs["env"] = {**self._base, **self.variables, "CWRAP_BACKEND": "namespaces",
                         **extra}
        default_name = self.nss.hostname if self.nss else None
        self._ns.prepare(kwargs, host.fqdn if host is not None else None, default_name)
        if self._watchdog is None:
            self._watchdog = Watchdog(self.grace)
        holder = self._ns.holder
        if holder is not None and holder.pid not in self._groups:
            self._groups.add(holder.pid)
            self._watchdog.watch(holder.pid)

    def command_setup(self, argv: Sequence[str]) -> tuple[dict[str, str], Any]:
        """For `cwrap run`: the environment and preexec function (or None)
        of a command run in the foreground."""
        kwargs: dict[str, Any] = {}
        self._prepare(argv, kwargs)
        return kwargs["env"], kwargs.get("preexec_fn")

    def _process_environ(self, kwargs: dict[str, Any]) -> dict[str, str]:
        """The environment of one program: base, its host, its fake user,
        then the caller's `env=` (which wins)."""
        extra = kwargs.pop("env", None) or {}
        on_host = self._host_environ(kwargs.pop("host", None))
        identity = self._identity_environ(kwargs.pop("as_user", None))
        return self.compose({**self._base, **on_host, **identity, **extra})

    def _host_environ(self, host: FakeHost | str | None) -> dict[str, str]:
        if host is None:
            return {}
        if isinstance(host, str):
            host = self._hosts.get(host)
        return host.environ()

    # -- running programs --------------------------------------------------

    def popen(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.Popen[Any]:
        """subprocess.Popen in this environment.  `host=` (a FakeHost or its
        name) makes the program that host; `as_user=NAME` starts it as that
        fake user (UID and NSS shims).  `env=` adds to (and may
        override) the environment's variables; the shims stay preloaded.
        The process gets a process group of its own unless `process_group`
        or `start_new_session` says otherwise.  `backend=` ("preload" or
        "namespaces") overrides the choice of an "auto" environment."""
        self._prepare(argv, kwargs)
        if "start_new_session" not in kwargs:
            kwargs.setdefault("process_group", 0)
        proc = subprocess.Popen(argv, **kwargs)
        self._children.append(proc)
        self._track_group(proc.pid, kwargs)
        return proc

    def spawn(self, argv: Sequence[str | os.PathLike[str]], *, name: str | None = None,
              ready: int | tuple[str, int] | tuple[str, int, str] | None = None,
              ready_log: str | None = None, timeout: float = 10.0,
              **kwargs: Any) -> Service:
        """Starts a long-running program (a server) and waits until it is
        ready: `ready=(address, port[, "udp"])` waits until it listens
        there (`ready=PORT` means its own host's address, with `host=`),
        `ready_log=REGEX` until its output matches.  Its stdout and
        stderr go to logs/NAME.out and .err in the state directory.  If it
        exits before being ready, ServiceFailed says so with its output."""
        name = name or Path(str(argv[0])).name
        host = kwargs.get("host")
        if isinstance(host, str):
            host = self._hosts.get(host)
        if isinstance(ready, int):
            if host is None:
                raise ConfigError("ready=PORT needs host= (or give ready=(address, port))")
            ready = (host.ipv4, ready)
        if name in self._services:
            raise ConfigError(f"a service named {name!r} exists already: give name=")
        out, err, out_f, err_f = open_logs(self.dir / "logs", name)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        with out_f, err_f:
            proc = self.popen(argv, stdout=out_f, stderr=err_f, **kwargs)
        service = Service(name, proc, out, err, host)
        self._services[name] = service
        if ready is not None:
            self._wait_service_listening(service, ready, timeout)
        if ready_log is not None:
            service.wait_for_log(ready_log, timeout)
        return service

    def _wait_service_listening(self, service: Service, ready: tuple[Any, ...],
                                timeout: float) -> None:
        address, port = ready[0], int(ready[1])
        proto = ready[2] if len(ready) > 2 else "tcp"
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.wait_listening(address, port, proto, timeout=min(0.25, timeout))
                return
            except TimeoutError:
                service._check_alive(f"before listening on {address}:{port}")
                if time.monotonic() > deadline:
                    service.reported = True
                    raise ServiceFailed(f"service {service.name} does not listen on "
                                        f"{address}:{port} after {timeout:g}s; its output "
                                        f"is in {service.stdout_path.parent}") from None

    @property
    def services(self) -> dict[str, Service]:
        return dict(self._services)

    def run(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """subprocess.run in this environment; a non-zero exit marks the
        environment as failed (its directory is then kept)."""
        self._prepare(argv, kwargs)
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
            if self._watchdog is None:
                self._watchdog = Watchdog(self.grace)
            self._watchdog.watch(pid)

    def _save_for_joining(self) -> None:
        """environ.json lets another terminal join this world (cwrap shell)."""
        data = {"variables": self._variables,
                "preload": [str(lib_path(s)) for s in self.shims]}
        path = self.dir / "environ.json"
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")

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
