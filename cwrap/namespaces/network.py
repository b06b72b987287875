"""The namespace's network: loopback up, every fake host's addresses on
it, privileged ports open to every uid — through pyroute2 (the
`namespaces` extra), imported only here."""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import sys
import types
from pathlib import Path
from typing import Any

from ..errors import CwrapError
from ..socket.addresses import MAX_HOSTS, ipv4_of, ipv6_of

#: /proc/sys of the network namespace the process is in.
SYSCTLS = {
    # Any uid binds any port, as under the socket shim.
    "net/ipv4/ip_unprivileged_port_start": "0",
}


class MissingPyroute2(CwrapError):
    """The optional dependency of the namespace backend is not installed."""


def have_pyroute2() -> bool:
    return importlib.util.find_spec("pyroute2") is not None


MISSING = "the namespace backend needs pyroute2: pip install 'cwrap-suite[namespaces]'"


def _lean_import() -> Any:
    """pyroute2's IPRoute without pyroute2/__init__, which imports every
    module of the library (0.25 s of the holder's start, measured with
    0.9.7).  Only the holder process does this; on any surprise the
    ordinary import is used."""
    spec = importlib.util.find_spec("pyroute2")
    if spec is None or not spec.submodule_search_locations or "pyroute2" in sys.modules:
        raise ImportError("no lean import")
    stub = types.ModuleType("pyroute2")
    stub.__path__ = list(spec.submodule_search_locations)
    sys.modules["pyroute2"] = stub
    try:
        from pyroute2.iproute.linux import IPRoute
        return IPRoute
    except Exception:
        for name in [n for n in sys.modules if n == "pyroute2" or n.startswith("pyroute2.")]:
            del sys.modules[name]
        raise ImportError("no lean import") from None


def iproute() -> Any:
    try:
        cls = _lean_import()
    except ImportError:
        try:
            from pyroute2 import IPRoute as cls
        except ImportError as exc:
            raise MissingPyroute2(f"{MISSING} (import failed: {exc})") from exc
    return cls()


def addresses(network: str = "127.0.0.0") -> list[tuple[str, int]]:
    """(address, prefix length) of every fake host, IPv4 then IPv6."""
    out = []
    for iface in range(1, MAX_HOSTS + 1):
        # One address each: 127/8 is local on loopback already, and the
        # kernel refuses a second /8 with its broadcast there (EINVAL).
        out.append((ipv4_of(iface, network), 32))
    out += [(ipv6_of(iface), 128) for iface in range(1, MAX_HOSTS + 1)]
    return out


def configure(network: str = "127.0.0.0") -> None:
    """Runs inside the new network namespace (as its root)."""
    ipr = iproute()
    try:
        lo = ipr.link_lookup(ifname="lo")[0]
        ipr.link("set", index=lo, state="up")
        for address, prefix in addresses(network):
            try:
                if ipaddress.ip_address(address).version == 4:
                    ipr.addr("add", index=lo, address=address, prefixlen=prefix)
                else:
                    ipr.addr("add", index=lo, address=address, prefixlen=prefix,
                             family=10)
            except Exception as exc:  # pyroute2's NetlinkError
                if getattr(exc, "code", None) != errno.EEXIST:
                    raise
    finally:
        ipr.close()
    for name, value in SYSCTLS.items():
        Path("/proc/sys", name).write_text(value)
