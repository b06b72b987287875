"""Typed records of the NSS shim's files: users, groups and hosts.

Each record checks its fields (a value that would break the file's
format is refused with a ConfigError, never written) and renders its
line as passwd(5), group(5) and hosts(5) describe it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import ConfigError

_MAX_ID = 2**32 - 2     # (uid_t)-1 means "no change" to the kernel


def _check_field(kind: str, label: str, value: str, *, allow_colon: bool = False) -> str:
    if "\n" in value or "\0" in value or (not allow_colon and ":" in value):
        raise ConfigError(f"{kind} {label} {value!r}: may not contain "
                          f"{'a newline' if allow_colon else 'a colon or newline'}")
    return value


def _check_name(kind: str, name: str) -> str:
    if not name or name[0] in "+-#" or any(c.isspace() for c in name) or "," in name:
        raise ConfigError(f"{kind} name {name!r} is not valid: it must be non-empty, "
                          "without blanks or commas, not starting with +, - or #")
    return _check_field(kind, "name", name)


def _check_id(kind: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_ID:
        raise ConfigError(f"{kind} id {value!r} is not valid: expected 0 to {_MAX_ID}")
    return value


@dataclass(frozen=True)
class User:
    """A passwd(5) entry."""

    name: str
    uid: int
    gid: int
    gecos: str = ""
    home: str = "/nonexistent"
    shell: str = "/bin/sh"
    password: str = "x"

    def __post_init__(self) -> None:
        _check_name("user", self.name)
        _check_id("user", self.uid)
        _check_id("group", self.gid)
        for label in ("gecos", "home", "password"):
            _check_field("user", label, getattr(self, label))
        _check_field("user", "shell", self.shell, allow_colon=True)

    def line(self) -> str:
        return (f"{self.name}:{self.password}:{self.uid}:{self.gid}:{self.gecos}:"
                f"{self.home}:{self.shell}\n")


@dataclass(frozen=True)
class Group:
    """A group(5) entry."""

    name: str
    gid: int
    members: tuple[str, ...] = ()
    password: str = "x"

    def __post_init__(self) -> None:
        _check_name("group", self.name)
        _check_id("group", self.gid)
        _check_field("group", "password", self.password)
        object.__setattr__(self, "members", tuple(self.members))
        for member in self.members:
            _check_name("member", member)

    def line(self) -> str:
        return f"{self.name}:{self.password}:{self.gid}:{','.join(self.members)}\n"


@dataclass(frozen=True)
class Host:
    """A hosts(5) entry: one address, a canonical name and aliases."""

    address: str
    name: str
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "address", str(ipaddress.ip_address(self.address)))
        except ValueError:
            raise ConfigError(f"host address {self.address!r} is not an IPv4 or IPv6 "
                              "address") from None
        object.__setattr__(self, "aliases", tuple(self.aliases))
        for name in (self.name, *self.aliases):
            if not name or "#" in name or any(c.isspace() for c in name):
                raise ConfigError(f"host name {name!r} is not valid: it must be non-empty, "
                                  "without blanks or '#'")

    def line(self) -> str:
        return " ".join((self.address, self.name, *self.aliases)) + "\n"


def render(records: Iterable[User | Group | Host]) -> str:
    return "".join(r.line() for r in records)
