"""Helpers for running wrapped programs as an unprivileged user.

Test suites often run as root in CI, where binding port 80 or calling
setuid() succeeds without any shim, so such a test would prove nothing.
`unprivileged()` gives a normal user to run the programs as: the current
user when not root, otherwise a system user created for the purpose.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_USER = "cwrap-test"


@dataclass
class RunAs:
    name: str
    uid: int
    gid: int
    home: Path
    dropping: bool = field(default=False)

    def kwargs(self) -> dict[str, Any]:
        """subprocess keyword arguments that run a child as this user."""
        if not self.dropping:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def environ(self) -> dict[str, str]:
        return {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name}

    def give(self, path: Path) -> None:
        """Hands `path` (recursively) to this user."""
        if not self.dropping:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for name in dirs + files:
                os.lchown(os.path.join(root, name), self.uid, self.gid)


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/bin/sh", name], check=True)
        return pwd.getpwnam(name)


def unprivileged(name: str = DEFAULT_USER) -> RunAs:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.getuid())
        return RunAs(entry.pw_name, os.getuid(), os.getgid(), Path(tempfile.mkdtemp(prefix="cwh-")))
    entry = _ensure_user(name)
    home = Path(tempfile.mkdtemp(prefix="cwh-"))
    os.chown(home, entry.pw_uid, entry.pw_gid)
    return RunAs(entry.pw_name, entry.pw_uid, entry.pw_gid, home, dropping=True)
