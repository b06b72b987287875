"""Small helpers shared by the NSS shim's tests."""

from __future__ import annotations

from pathlib import Path

import cwrap

PASSWD = """\
root:x:0:0:root:/root:/bin/sh
alice:x:1500:1500:Alice:/home/alice:/bin/bash
bob:x:1501:1501:Bob:/home/bob:/bin/sh
"""
GROUP = """\
root:x:0:
alice:x:1500:
bob:x:1501:
devs:x:2000:alice,bob
"""
HOSTS = """\
127.0.0.1 localhost
10.53.57.5 web.fake.test web
fd00:53::5 web.fake.test
"""


def write_world(where: Path, passwd: str = PASSWD, group: str = GROUP,
                hosts: str = HOSTS, shadow: str | None = None) -> dict[str, str]:
    """Writes the files into `where` and returns the shim's variables."""
    env = {"LD_PRELOAD": str(cwrap.lib_path("nss"))}
    for name, text, var in (("passwd", passwd, "NSS_WRAPPER_PASSWD"),
                            ("group", group, "NSS_WRAPPER_GROUP"),
                            ("hosts", hosts, "NSS_WRAPPER_HOSTS"),
                            ("shadow", shadow, "NSS_WRAPPER_SHADOW")):
        if text is None:
            continue
        path = where / name
        path.write_text(text)
        env[var] = str(path)
    return env
