"""The README's main job: a fake world, shown end to end as a normal user."""

from __future__ import annotations

import subprocess
import sys

import cwrap
from cwrap.testing import unprivileged


def main() -> int:
    user = unprivileged()
    cli = [sys.executable, "-m", "cwrap.cli"]
    print(f"== running as {user.name} (uid {user.uid})", flush=True)
    steps = [
        ("cwrap doctor: are the shims usable here?", [*cli, "doctor"]),
        ("cwrap run: a command inside the fake world (its shim variables)",
         [*cli, "run", "--", "sh", "-c", "env | grep -E '^(SOCKET|NSS|UID)_WRAPPER' | sort"]),
    ]
    for title, argv in steps:
        print(f"\n== {title}\n$ {' '.join(argv[2:]) if argv[:3] == cli else ' '.join(argv)}",
              flush=True)
        result = subprocess.run(argv, cwd="/", env={**_base_env(), **user.environ()},
                                **user.kwargs())
        if result.returncode != 0:
            print(f"demo: step failed with status {result.returncode}", file=sys.stderr)
            return 1
    print(f"\ncwrap {cwrap.__version__}: all demo steps passed")
    return 0


def _base_env() -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}


if __name__ == "__main__":
    sys.exit(main())
