"""Configuration of the NSS shim: which files answer which database.

An environment gets a default world: root, nobody and the running user
(with a home inside the state directory), their groups, and localhost in
the hosts file.  Users, groups and hosts added with add_user(),
add_group() and add_host() come after it.  Files given by the caller
(passwd=, group=, hosts=, shadow=) are used as they are; when records
are also added, a copy in the state directory gets the additions (the
caller's file is never changed).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .files import write_atomically
from .records import Group, Host, User, render

FIRST_ID = 1000


@dataclass
class NssConfig:
    passwd: Path | None = None
    group: Path | None = None
    shadow: Path | None = None
    hosts: Path | None = None
    hostname: str | None = None
    #: NSS_WRAPPER_HOSTS_FALLBACK: names missing from the hosts file go to
    #: the system's resolver (off by default: the fake world is sealed).
    hosts_fallback: bool = False
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    hosts_added: list[Host] = field(default_factory=list)

    # -- records -----------------------------------------------------------

    def _used_ids(self, kind: str) -> set[int]:
        if kind == "uid":
            ids = {u.uid for u in self._default_users(Path("/"))} | {u.uid for u in self.users}
        else:
            ids = {g.gid for g in self._default_groups()} | {g.gid for g in self.groups}
        return ids

    def _free_id(self, kind: str) -> int:
        used = self._used_ids(kind)
        n = FIRST_ID
        while n in used:
            n += 1
        return n

    def add_user(self, name: str, uid: int | None = None, gid: int | None = None, *,
                 home: str | None = None, shell: str = "/bin/sh", gecos: str = "",
                 groups: Iterable[str] = ()) -> User:
        """A user; without uid the first free one from 1000; without gid a
        group of the user's name is added (with the same number when free)."""
        if any(u.name == name for u in self.users):
            raise ConfigError(f"user {name!r} is already added")
        if uid is None:
            uid = self._free_id("uid")
        new_group = None
        if gid is None:
            existing = next((g for g in self.groups if g.name == name), None)
            if existing is not None:
                gid = existing.gid
            else:
                gid = uid if uid not in self._used_ids("gid") else self._free_id("gid")
                new_group = name
        user = User(name, uid, gid, gecos=gecos, home=home or f"/home/{name}", shell=shell)
        if new_group is not None:
            self.groups.append(Group(new_group, gid))
        self.users.append(user)
        for group_name in groups:
            self.add_member(group_name, name)
        return user

    def add_group(self, name: str, gid: int | None = None,
                  members: Iterable[str] = ()) -> Group:
        if any(g.name == name for g in self.groups):
            raise ConfigError(f"group {name!r} is already added")
        group = Group(name, self._free_id("gid") if gid is None else gid, tuple(members))
        self.groups.append(group)
        return group

    def add_member(self, group: str, user: str) -> None:
        for i, g in enumerate(self.groups):
            if g.name == group:
                if user not in g.members:
                    self.groups[i] = Group(g.name, g.gid, g.members + (user,), g.password)
                return
        raise ConfigError(f"group {group!r} is not added: add it before naming it")

    def add_host(self, name: str, *addresses: str, aliases: Iterable[str] = ()) -> list[Host]:
        if not addresses:
            raise ConfigError(f"host {name!r}: give at least one address")
        added = [Host(a, name, tuple(aliases)) for a in addresses]
        self.hosts_added.extend(added)
        return added

    # -- files ---------------------------------------------------------------

    @staticmethod
    def _running_user() -> tuple[str, int, int]:
        uid, gid = os.getuid(), os.getgid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = f"user{uid}"
        return name, uid, gid

    def _default_users(self, state_dir: Path) -> list[User]:
        name, uid, gid = self._running_user()
        users = [User("root", 0, 0, "root", "/root", "/bin/sh"),
                 User("nobody", 65534, 65534, "nobody", "/nonexistent", "/usr/sbin/nologin")]
        if uid not in (0, 65534) and not any(u.name == name for u in self.users):
            users.append(User(name, uid, gid, name, str(state_dir / "home" / name), "/bin/sh"))
        return users

    def _default_groups(self) -> list[Group]:
        name, _, gid = self._running_user()
        groups = {0: "root", 65534: "nogroup"}
        groups.setdefault(gid, name)
        return [Group(n, g) for g, n in sorted(groups.items())
                if not any(a.name == n for a in self.groups)]

    def write(self, state_dir: Path) -> dict[str, Path]:
        """Writes (atomically) the files this configuration needs in
        `state_dir`; returns the path of each database."""
        for label, path in (("passwd", self.passwd), ("group", self.group),
                            ("shadow", self.shadow), ("hosts", self.hosts)):
            if path is not None and not Path(path).is_file():
                raise ConfigError(f"{label} file {path} does not exist")
        name, uid, _ = self._running_user()
        if uid not in (0, 65534):
            (state_dir / "home" / name).mkdir(parents=True, exist_ok=True)
        wanted = {
            "passwd": (self.passwd, self._default_users(state_dir), self.users),
            "group": (self.group, self._default_groups(), self.groups),
            "hosts": (self.hosts, [Host("127.0.0.1", "localhost"),
                                   Host("::1", "localhost", ("ip6-localhost", "ip6-loopback"))],
                      self.hosts_added),
        }
        out: dict[str, Path] = {}
        for label, (given, defaults, added) in wanted.items():
            if given is not None and not added:
                out[label] = Path(given).absolute()
                continue
            base = Path(given).read_text() if given is not None else render(defaults)
            if base and not base.endswith("\n"):
                base += "\n"
            path = state_dir / label
            write_atomically(path, base + render(added))
            out[label] = path
        if self.shadow is not None:
            out["shadow"] = Path(self.shadow).absolute()
        return out

    def variables(self, state_dir: Path) -> dict[str, str]:
        files = self.write(state_dir)
        out = {
            "NSS_WRAPPER_PASSWD": str(files["passwd"]),
            "NSS_WRAPPER_GROUP": str(files["group"]),
            "NSS_WRAPPER_HOSTS": str(files["hosts"]),
        }
        if "shadow" in files:
            out["NSS_WRAPPER_SHADOW"] = str(files["shadow"])
        if self.hostname is not None:
            out["NSS_WRAPPER_HOSTNAME"] = self.hostname
        if self.hosts_fallback:
            out["NSS_WRAPPER_HOSTS_FALLBACK"] = "1"
        return out
