"""The fake address plan of the socket shim, in Python.

Fake host N (1-64) has the IPv4 address 127.0.0.N (or 10.53.57.N) and the
IPv6 address fd00::5357:5fNN.  A bound endpoint is a file in the socket
directory named by a type letter (T: TCP/IPv4, U: UDP/IPv4, X: TCP/IPv6,
Y: UDP/IPv6), two hex digits of the host and four of the port.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import ConfigError

MAX_HOSTS = 64
Proto = Literal["tcp", "udp"]
_LETTERS = {("tcp", 4): "T", ("udp", 4): "U", ("tcp", 6): "X", ("udp", 6): "Y"}


def ipv4_of(iface: int, network: str = "127.0.0.0") -> str:
    _check_iface(iface)
    base = ipaddress.IPv4Address(network)
    return str(base + iface)


def ipv6_of(iface: int) -> str:
    _check_iface(iface)
    return str(ipaddress.IPv6Address(f"fd00::5357:5f{iface:02x}"))


def iface_of(address: str, network: str = "127.0.0.0") -> int:
    """The fake host an address belongs to; ConfigError if it is none."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        offset = int(ip) - int(ipaddress.IPv4Address(network))
        if 1 <= offset <= MAX_HOSTS:
            return offset
    else:
        prefix = int(ipaddress.IPv6Address("fd00::5357:5f00"))
        if 1 <= int(ip) - prefix <= MAX_HOSTS:
            return int(ip) - prefix
    raise ConfigError(f"{address} is not a fake host address: expected "
                      f"{ipv4_of(1, network)}-{ipv4_of(MAX_HOSTS, network)} or "
                      f"fd00::5357:5f01-fd00::5357:5f{MAX_HOSTS:02x}")


@dataclass(frozen=True)
class Endpoint:
    """One fake address:port, and the socket file that stands for it."""

    iface: int
    port: int
    proto: Proto = "tcp"
    version: Literal[4, 6] = 4

    @classmethod
    def parse(cls, address: str, port: int, proto: Proto = "tcp",
              network: str = "127.0.0.0") -> Endpoint:
        version = ipaddress.ip_address(address).version
        return cls(iface_of(address, network), port, proto, version)  # type: ignore[arg-type]

    @classmethod
    def from_filename(cls, name: str) -> Endpoint:
        if len(name) != 7 or name[0] not in "TUXY":
            raise ConfigError(f"{name!r} is not a socket file name")
        proto: Proto = "tcp" if name[0] in "TX" else "udp"
        version = 4 if name[0] in "TU" else 6
        return cls(int(name[1:3], 16), int(name[3:], 16), proto, version)  # type: ignore[arg-type]

    @property
    def filename(self) -> str:
        _check_iface(self.iface)
        if not 0 <= self.port <= 0xFFFF:
            raise ConfigError(f"port {self.port} is out of range")
        return f"{_LETTERS[(self.proto, self.version)]}{self.iface:02X}{self.port:04X}"

    def path(self, socket_dir: Path) -> Path:
        return socket_dir / self.filename

    def address(self, network: str = "127.0.0.0") -> str:
        return ipv4_of(self.iface, network) if self.version == 4 else ipv6_of(self.iface)


def _check_iface(iface: int) -> None:
    if not 1 <= iface <= MAX_HOSTS:
        raise ConfigError(f"fake host {iface} is out of range: expected 1 to {MAX_HOSTS}")
