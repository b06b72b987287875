"""Options shared by `cwrap run` and `cwrap env`, and how they become an
Environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..environment import Environment
from ..errors import ConfigError
from ..nss import NssConfig
from ..socket import SocketConfig
from ..uid import UidConfig, parse_identity

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--socket", "use_socket", is_flag=True,
                 help="Fake IPv4/IPv6 network (socket shim)."),
    click.option("--nss", "use_nss", is_flag=True,
                 help="Fake users, groups, hosts (NSS shim)."),
    click.option("--uid", "use_uid", is_flag=True,
                 help="Fake root and uid switching (UID shim)."),
    click.option("--root", is_flag=True, help="Start as (fake) root; implies --uid."),
    click.option("--as", "as_identity", metavar="UID[:GID]",
                 callback=lambda ctx, param, value: _identity(value),
                 help="Start as this (fake) uid and gid; implies --uid."),
    click.option("--iface", type=click.IntRange(1, 64), metavar="N",
                 help="Default fake interface: the program is host 127.0.0.N."),
    click.option("--ipv4-network", type=click.Choice(["127.0.0.0", "10.53.57.0"]),
                 help="IPv4 network of the fake hosts."),
    click.option("--hostname", metavar="NAME", help="Host name the programs see."),
    click.option("--passwd", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Use this passwd file."),
    click.option("--group-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Use this group file."),
    click.option("--hosts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Use this hosts file."),
    click.option("--user", "users", multiple=True, metavar="NAME[:UID[:GID]]",
                 help="Add a fake user (repeatable)."),
    click.option("--group", "groups", multiple=True, metavar="NAME[:GID[:MEMBERS]]",
                 help="Add a fake group; MEMBERS comma-separated (repeatable)."),
    click.option("--host", "hosts_added", multiple=True, metavar="NAME=IP[,IP...]",
                 help="Add a fake host name (repeatable)."),
    click.option("--debug", metavar="LEVEL",
                 help="Shim log level: error, warn, debug, trace (or 0-3)."),
    click.option("--dir", "state_dir", type=click.Path(file_okay=False, path_type=Path),
                 help="State directory to use (created if missing; never removed "
                      "if it existed)."),
    click.option("--pcap", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="Capture the fake network's traffic to FILE (pcap; read it with "
                      "'cwrap pcap FILE', wireshark or tshark)."),
]


def _identity(value: str | None) -> tuple[int, int | None] | None:
    if value is None:
        return None
    try:
        return parse_identity(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--as") from exc


BACKEND_OPTION = click.option(
    "--backend", type=click.Choice(["preload", "namespaces", "auto"]), default="preload",
    show_default=True,
    help="preload: the shims; namespaces: a user+network+mount namespace (static and Go "
         "programs too); auto: namespaces only for programs LD_PRELOAD cannot reach.")


def environment_options(func: F) -> F:
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def build_environment(*, use_socket: bool, use_nss: bool, use_uid: bool, root: bool,
                      iface: int | None, ipv4_network: str | None, hostname: str | None,
                      passwd: Path | None, group_file: Path | None, hosts: Path | None,
                      debug: str | None, state_dir: Path | None,
                      keep: bool | None = None, pcap: Path | None = None,
                      as_identity: tuple[int, int | None] | None = None,
                      users: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                      hosts_added: tuple[str, ...] = (),
                      backend: str = "preload") -> Environment:
    """No shim flag at all means all three: the whole fake world."""
    use_uid = use_uid or root or as_identity is not None
    if not (use_socket or use_nss or use_uid):
        use_socket = use_nss = use_uid = True
    socket = SocketConfig(default_iface=iface, ipv4_network=ipv4_network) if use_socket else False
    nss: NssConfig | bool = False
    if use_nss:
        nss = NssConfig(passwd=passwd, group=group_file, hosts=hosts, hostname=hostname)
        apply_nss_options(nss, users=users, groups=groups, hosts=hosts_added)
    elif users or groups or hosts_added:
        raise click.UsageError("--user, --group and --host need the NSS shim (--nss)")
    uid_id, gid_id = as_identity or (None, None)
    uid = UidConfig(root=root, uid=uid_id, gid=gid_id) if use_uid else False
    if pcap is not None and not use_socket:
        raise click.UsageError("--pcap needs the socket shim (--socket)")
    return Environment(socket=socket, nss=nss, uid=uid, dir=state_dir, keep=keep,
                       debug=debug, pcap=pcap or False, backend=backend)


def _parse_id(text: str, what: str, spec: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        raise click.BadParameter(f"{spec!r}: {what} {text!r} is not a number")
    return int(text)


def apply_nss_options(nss: NssConfig, *, users: tuple[str, ...], groups: tuple[str, ...],
                      hosts: tuple[str, ...]) -> None:
    """--group first (so --user may name its group), then --user, --host."""
    for spec in groups:
        name, _, rest = spec.partition(":")
        gid_text, _, members = rest.partition(":")
        nss.add_group(name, _parse_id(gid_text, "GID", spec),
                      [m for m in members.split(",") if m])
    for spec in users:
        name, _, rest = spec.partition(":")
        uid_text, _, gid_text = rest.partition(":")
        nss.add_user(name, _parse_id(uid_text, "UID", spec), _parse_id(gid_text, "GID", spec))
    for spec in hosts:
        name, sep, addresses = spec.partition("=")
        if not sep or not name or not addresses:
            raise click.BadParameter(f"{spec!r}: expected NAME=IP[,IP...]")
        nss.add_host(name, *addresses.split(","))

