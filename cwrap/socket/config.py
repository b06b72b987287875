"""Configuration of the socket shim, as upstream socket_wrapper's variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

IPV4_NETWORKS = ("127.0.0.0", "10.53.57.0")
MAX_INTERFACES = 64


@dataclass
class SocketConfig:
    """What SOCKET_WRAPPER_* the processes get.

    default_iface: the fake interface (1-64) a process's wildcard binds and
    outgoing connections use, i.e. which fake host it is.  None leaves it
    to the shim's default (1).
    """

    default_iface: int | None = None
    ipv4_network: str | None = None
    mtu: int | None = None
    max_sockets: int | None = None
    pcap_file: Path | None = None

    def validate(self) -> None:
        if self.default_iface is not None and not 1 <= self.default_iface <= MAX_INTERFACES:
            raise ConfigError(f"default interface {self.default_iface} is out of range: "
                              f"expected 1 to {MAX_INTERFACES}")
        if self.ipv4_network is not None and self.ipv4_network not in IPV4_NETWORKS:
            raise ConfigError(f"IPv4 network {self.ipv4_network!r} is not supported: "
                              f"expected {' or '.join(IPV4_NETWORKS)}")
        if self.mtu is not None and not 512 <= self.mtu <= 32768:
            raise ConfigError(f"MTU {self.mtu} is out of range: expected 512 to 32768")
        if self.max_sockets is not None and not 1 <= self.max_sockets <= 262140:
            raise ConfigError(f"max sockets {self.max_sockets} is out of range: "
                              "expected 1 to 262140")

    def variables(self, socket_dir: Path) -> dict[str, str]:
        self.validate()
        out = {"SOCKET_WRAPPER_DIR": str(socket_dir)}
        optional = {
            "SOCKET_WRAPPER_DEFAULT_IFACE": self.default_iface,
            "SOCKET_WRAPPER_IPV4_NETWORK": self.ipv4_network,
            "SOCKET_WRAPPER_MTU": self.mtu,
            "SOCKET_WRAPPER_MAX_SOCKETS": self.max_sockets,
            "SOCKET_WRAPPER_PCAP_FILE": self.pcap_file,
        }
        out.update({k: str(v) for k, v in optional.items() if v is not None})
        return out
