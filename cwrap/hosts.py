"""Fake hosts: a name, a fake interface, its addresses.

A host is what a process on the fake network *is*: the socket shim makes
its wildcard binds and outgoing connections use the host's interface, and
the NSS shim gives it the host's name.  Every other host of the same
environment is found by name through the environment's hosts file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError
from .socket.addresses import MAX_HOSTS, ipv4_of, ipv6_of

FIRST_HOST = 10          # 1-9 stay free for programs that pick their own
_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class FakeHost:
    name: str
    iface: int
    ipv4: str
    ipv6: str
    fqdn: str

    def environ(self) -> dict[str, str]:
        """What a process needs to *be* this host."""
        return {"SOCKET_WRAPPER_DEFAULT_IFACE": str(self.iface),
                "NSS_WRAPPER_HOSTNAME": self.fqdn}


class HostTable:
    """The hosts of one environment, by name and by interface."""

    def __init__(self, domain: str, network: str = "127.0.0.0") -> None:
        if domain and not all(_NAME.match(part) for part in domain.split(".")):
            raise ConfigError(f"domain {domain!r} is not a valid DNS name")
        self.domain = domain
        self.network = network
        self._by_name: dict[str, FakeHost] = {}

    def add(self, name: str, iface: int | None = None) -> FakeHost:
        if not _NAME.match(name):
            raise ConfigError(f"host name {name!r} is not valid: letters, digits and "
                              "inner hyphens, at most 63 characters")
        if name in self._by_name:
            existing = self._by_name[name]
            if iface is not None and iface != existing.iface:
                raise ConfigError(f"host {name!r} exists already on interface {existing.iface}")
            return existing
        used = {h.iface for h in self._by_name.values()}
        if iface is None:
            free = [i for i in range(FIRST_HOST, MAX_HOSTS + 1) if i not in used] or \
                   [i for i in range(1, FIRST_HOST) if i not in used]
            if not free:
                raise ConfigError(f"all {MAX_HOSTS} fake hosts are taken")
            iface = free[0]
        elif iface in used:
            raise ConfigError(f"interface {iface} is taken by another host")
        fqdn = f"{name}.{self.domain}" if self.domain else name
        host = FakeHost(name, iface, ipv4_of(iface, self.network), ipv6_of(iface), fqdn)
        self._by_name[name] = host
        return host

    def get(self, name: str) -> FakeHost:
        try:
            return self._by_name[name]
        except KeyError:
            raise ConfigError(f"no host named {name!r}: add it with env.host({name!r})") from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_name.values())
