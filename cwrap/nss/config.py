"""Configuration of the NSS shim: which files answer which database.

Without files of its own, an environment gets a small default world:
root, nobody and the running user (with a home inside the state
directory), their groups, and localhost in the hosts file.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError


@dataclass
class NssConfig:
    passwd: Path | None = None
    group: Path | None = None
    shadow: Path | None = None
    hosts: Path | None = None
    hostname: str | None = None

    def variables(self, state_dir: Path) -> dict[str, str]:
        for label, path in (("passwd", self.passwd), ("group", self.group),
                            ("shadow", self.shadow), ("hosts", self.hosts)):
            if path is not None and not Path(path).is_file():
                raise ConfigError(f"{label} file {path} does not exist")
        passwd, group, hosts = self.passwd, self.group, self.hosts
        if passwd is None or group is None or hosts is None:
            world = _write_default_world(state_dir)
            passwd = passwd or world["passwd"]
            group = group or world["group"]
            hosts = hosts or world["hosts"]
        out = {
            "NSS_WRAPPER_PASSWD": str(Path(passwd).absolute()),
            "NSS_WRAPPER_GROUP": str(Path(group).absolute()),
            "NSS_WRAPPER_HOSTS": str(Path(hosts).absolute()),
        }
        if self.shadow is not None:
            out["NSS_WRAPPER_SHADOW"] = str(Path(self.shadow).absolute())
        if self.hostname is not None:
            out["NSS_WRAPPER_HOSTNAME"] = self.hostname
        return out


def _running_user() -> tuple[str, int, int]:
    uid, gid = os.getuid(), os.getgid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = f"user{uid}"
    return name, uid, gid


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_default_world(state_dir: Path) -> dict[str, Path]:
    name, uid, gid = _running_user()
    home = state_dir / "home" / name
    home.mkdir(parents=True, exist_ok=True)
    users = [("root", 0, 0, "/root", "/bin/sh"),
             ("nobody", 65534, 65534, "/nonexistent", "/usr/sbin/nologin")]
    if uid not in (0, 65534):
        users.append((name, uid, gid, str(home), "/bin/sh"))
    groups = {0: "root", 65534: "nogroup"}
    groups.setdefault(gid, name)
    files = {
        "passwd": "".join(f"{n}:x:{u}:{g}:{n}:{h}:{s}\n" for n, u, g, h, s in users),
        "group": "".join(f"{n}:x:{g}:\n" for g, n in sorted(groups.items())),
        "hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
    }
    paths = {}
    for label, text in files.items():
        path = state_dir / label
        _write_atomically(path, text)
        paths[label] = path
    return paths
