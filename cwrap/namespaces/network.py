"""The namespace's network: loopback up, every fake host's addresses on
it, privileged ports open to every uid — through pyroute2 (the
`namespaces` extra), imported only here."""

from __future__ import annotations

import errno
import ipaddress
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


def iproute() -> Any:
    try:
        from pyroute2 import IPRoute
    except ImportError as exc:
        raise MissingPyroute2(
            "the namespace backend needs pyroute2: pip install 'cwrap-suite[namespaces]' "
            f"(import failed: {exc})") from exc
    return IPRoute()


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
