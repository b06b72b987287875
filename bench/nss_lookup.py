#!/usr/bin/env python3
"""Lookup speed of the NSS shim against Debian's libnss_wrapper.

    python3 bench/nss_lookup.py [--count 100000] [--lookups N]

Writes passwd, group and hosts files of COUNT entries, then times, for
each shim, the first lookup (which reads and indexes the file) and the
mean of further getpwnam / getgrnam / gethostbyname calls spread over
the file.  Prints the figures and the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
UPSTREAM = Path("/usr/lib/x86_64-linux-gnu/libnss_wrapper.so")


def ours() -> Path:
    sys.path.insert(0, str(REPO))
    try:
        import cwrap
        return Path(cwrap.lib_path("nss"))
    except Exception:
        return REPO / "csrc" / "build" / "libcwrap_nss.so"


def write_files(where: Path, count: int) -> dict[str, Path]:
    files = {
        "passwd": "".join(f"user{i}:x:{10000 + i}:{10000 + i}:User {i}:/home/user{i}:/bin/sh\n"
                          for i in range(count)),
        "group": "".join(f"group{i}:x:{10000 + i}:user{i},user{(i + 1) % count}\n"
                         for i in range(count)),
        "hosts": "".join(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255} "
                         f"host{i}.example.test host{i}\n" for i in range(count)),
    }
    out = {}
    for name, text in files.items():
        out[name] = where / name
        out[name].write_text(text)
    return out


def run(binary: Path, lib: Path, files: dict[str, Path], db: str, count: int,
        lookups: int) -> dict[str, float]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LD_PRELOAD": str(lib),
           "NSS_WRAPPER_PASSWD": str(files["passwd"]), "NSS_WRAPPER_GROUP": str(files["group"]),
           "NSS_WRAPPER_HOSTS": str(files["hosts"]),
           # upstream's undocumented limit on host names (default 100)
           "NSS_WRAPPER_MAX_HOSTENTS": str(count * 4)}
    out = subprocess.run([str(binary), db, str(count), str(lookups)], env=env,
                         capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"{lib.name} {db}: {out.stdout} {out.stderr[-500:]}")
    return {k: float(v) for k, v in (f.split("=") for f in out.stdout.split())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=200_000,
                        help="lookups timed for this shim (upstream gets fewer)")
    parser.add_argument("--upstream-lookups", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cwrap-bench-") as tmp:
        where = Path(tmp)
        binary = where / "nss_bench"
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", str(binary),
                        str(HERE / "nss_bench.c")], check=True)
        files = write_files(where, args.count)
        lib = ours()
        print(f"{args.count} entries per file; cwrap: {lib}")
        print("wall clock (CPU time of the process in brackets: less disturbed by a busy "
              "machine)")
        print(f"{'lookup':<15}{'cwrap first':>22}{'cwrap each':>22}"
              f"{'upstream first':>24}{'upstream each':>22}{'ratio each':>12}")
        for db, call in (("passwd", "getpwnam"), ("group", "getgrnam"),
                         ("hosts", "gethostbyname")):
            r = run(binary, lib, files, db, args.count, args.lookups)
            line = (f"{call:<15}{r['first'] / 1000:>9.1f} ms ({r['cpu_first'] / 1000:5.1f} ms)"
                    f"{r['each']:>9.2f} µs ({r['cpu_each']:5.2f} µs)")
            if UPSTREAM.exists():
                try:
                    u = run(binary, UPSTREAM, files, db, args.count, args.upstream_lookups)
                    line += (f"{u['first'] / 1000:>10.1f} ms ({u['cpu_first'] / 1000:6.1f} ms)"
                             f"{u['each']:>9.1f} µs ({u['cpu_each']:6.1f} µs)"
                             f"{u['cpu_each'] / r['cpu_each']:>10.0f}x")
                except RuntimeError as exc:
                    line += f"   upstream failed: {exc}"
            print(line)
        if not UPSTREAM.exists():
            print(f"({UPSTREAM} not installed: apt-get install libnss-wrapper)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
