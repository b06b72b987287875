"""Which backend runs a program, and the namespace side of an environment.

`preload` runs every program with the shims (the default); `namespaces`
runs every program inside the environment's namespaces, without shims;
`auto` runs a program inside the namespaces only when LD_PRELOAD cannot
reach it (static, Go, set-id: cwrap.elf tells), so one environment mixes
both, and the holder's bridge joins their TCP worlds.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import elf
from ..errors import ConfigError
from . import network
from .files import overlays
from .launch import Holder, NamespaceError
from .probe import probe

BACKENDS = ("preload", "namespaces", "auto")


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"backend {name!r} is not valid: expected {', '.join(BACKENDS)}")
    return name


def out_of_preload_reach(argv0: str | os.PathLike[str], path_env: str | None) -> str | None:
    """Why LD_PRELOAD cannot reach the program, or None when it can."""
    text = os.fspath(argv0)
    found = text if "/" in text else shutil.which(text, path=path_env or os.defpath)
    if found is None or not os.path.isfile(found):
        return None
    try:
        prog = elf.inspect(found)
    except OSError:
        return None
    if not prog.is_elf:
        return None
    if prog.go:
        return "a Go program"
    if prog.interpreter is None:
        return "statically linked"
    if prog.setuid or prog.setgid:
        return "set-id"
    return None


class NamespaceSide:
    """The holder of one environment, started at its first program."""

    def __init__(self, state_dir: Path, network: str, socket_dir: Path | None,
                 pcap: Path | None = None) -> None:
        self.state_dir = state_dir
        self.pcap = Path(pcap).absolute() if pcap is not None else None
        self.network = network
        self.socket_dir = socket_dir
        self.holder: Holder | None = None
        self._overlays: list[tuple[str, str]] = []
        self._hosts: list[int] = []

    @staticmethod
    def check_available() -> None:
        if not network.have_pyroute2():
            raise network.MissingPyroute2(network.MISSING)
        result = probe()
        if not result.ok:
            raise NamespaceError(f"the namespace backend cannot work here: {result.detail}")

    @staticmethod
    def fallback_warning() -> str | None:
        """For `auto`: None when namespaces work, else the warning to show."""
        result = probe()
        if result.ok and network.have_pyroute2():
            return None
        detail = result.detail if not result.ok else network.MISSING
        return (f"cwrap: warning: the namespace backend is unavailable ({detail}); "
                "programs out of LD_PRELOAD's reach run under the preload backend, "
                "which cannot fake their network or files")

    def set_files(self, variables: Mapping[str, str], hostname: str | None) -> None:
        self._overlays = overlays(self.state_dir, dict(variables), hostname)
        if self.holder is not None:
            self.holder.command("overlays " + json.dumps(self._overlays))

    def set_hosts(self, ifaces: Sequence[int]) -> None:
        self._hosts = list(ifaces)
        if self.holder is not None:
            self.holder.command("hosts " + ",".join(map(str, self._hosts)))

    def ensure(self, owner: tuple[int, int], hostname: str | None) -> Holder:
        if self.holder is not None:
            if self.holder.owner[0] != owner[0]:
                raise ConfigError(
                    f"the namespaces of this environment belong to uid {self.holder.owner[0]}; "
                    f"every program in them runs as that user (got uid {owner[0]})")
            return self.holder
        if os.geteuid() == 0 and owner[0] != 0:
            # The holder and the programs are that user: the directory is theirs.
            for root, dirs, files in os.walk(self.state_dir):
                os.chown(root, *owner)
                for name in dirs + files:
                    os.lchown(os.path.join(root, name), *owner)
        config = {"overlays": self._overlays, "hostname": hostname, "network": self.network,
                  "socket_dir": str(self.socket_dir) if self.socket_dir else None,
                  "hosts": self._hosts, "pcap": str(self.pcap) if self.pcap else None}
        self.holder = Holder(config, owner)
        return self.holder

    @staticmethod
    def owner_of(kwargs: Mapping[str, Any]) -> tuple[int, int]:
        """The real user a program will run as (subprocess's user=/group=)."""
        user = kwargs.get("user")
        if user is None:
            return os.geteuid(), os.getegid()
        entry = pwd.getpwnam(user) if isinstance(user, str) else pwd.getpwuid(int(user))
        group = kwargs.get("group")
        gid = entry.pw_gid if group is None else int(group) if not isinstance(group, str) \
            else __import__("grp").getgrnam(group).gr_gid
        return entry.pw_uid, gid

    def prepare(self, kwargs: dict[str, Any], hostname: str | None,
                default_hostname: str | None) -> None:
        """Makes subprocess kwargs start the program inside the namespaces."""
        if "user" not in kwargs and self.holder is not None and \
                self.holder.owner[0] != os.geteuid():
            owner = self.holder.owner
            kwargs.update(user=owner[0], group=owner[1], extra_groups=[])
        holder = self.ensure(self.owner_of(kwargs), default_hostname)
        previous: Callable[[], Any] | None = kwargs.pop("preexec_fn", None)
        kwargs["preexec_fn"] = holder.enter(hostname, previous)

    def wait_listening(self, address: str, port: int, proto: str, timeout: float) -> None:
        """Polls the namespace's /proc/net until something listens there."""
        import ipaddress
        import time

        from .bridge import kernel_listeners
        from .launch import net_dir
        assert self.holder is not None
        wanted = ipaddress.ip_address(address)
        deadline = time.monotonic() + timeout
        while True:
            for lst in kernel_listeners(net_dir(self.holder.pid), proto):
                bound = ipaddress.ip_address(lst.address)
                if lst.port == port and (bound == wanted or (
                        bound.is_unspecified and bound.version == wanted.version)):
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {address}:{port} ({proto}) in the "
                                   f"namespace after {timeout:g}s")
            time.sleep(0.01)

    def close(self) -> None:
        if self.holder is not None:
            self.holder.close()
            self.holder = None


def warn(message: str) -> None:
    print(message, file=sys.stderr)
