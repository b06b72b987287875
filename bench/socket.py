#!/usr/bin/env python3
"""Socket shim figures, with ratios, measured in one run against real
loopback TCP, raw AF_UNIX and Debian's upstream libsocket_wrapper.

    .venv/bin/python bench/socket.py [repeats]

Each figure is the median of `repeats` runs (default 3).  Higher is
better for throughput, connection rate and round trips; lower for the
first-socket time and the non-socket read/write cost.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import cwrap

HERE = Path(__file__).resolve().parent
UPSTREAM = "/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so"
MODES = {
    "throughput": ("bulk throughput", "MB/s", True),
    "connrate": ("connect+accept+close", "conn/s", True),
    "pingpong": ("1-byte round trips", "rt/s", True),
    "firstsocket": ("first socket() of a process", "us", False),
    "fdio": ("read/write on a pipe (no socket)", "ns/call", False),
}


def build(tmp: Path) -> Path:
    binary = tmp / "socket_bench"
    subprocess.run(["cc", "-O2", "-o", str(binary), str(HERE / "socket_bench.c"), "-lpthread"],
                   check=True)
    return binary


def measure(binary: Path, mode: str, config: str, tmp: Path, repeats: int) -> float:
    sock_dir = tmp / "s"
    sock_dir.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if config == "loopback TCP":
        argv = [str(binary), mode, "inet", "127.0.0.1", "47123"]
    elif config == "raw AF_UNIX":
        argv = [str(binary), mode, "unix", str(tmp / "bench.sock")]
    else:
        lib = str(cwrap.lib_path("socket")) if config == "cwrap socket" else UPSTREAM
        env.update(LD_PRELOAD=lib, SOCKET_WRAPPER_DIR=str(sock_dir),
                   SOCKET_WRAPPER_DEFAULT_IFACE="20")
        argv = [str(binary), mode, "inet", "127.0.0.10", "8080"]
    values = []
    for _ in range(repeats):
        try:
            out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return float("nan")          # shown as "failed" (upstream hangs at times)
        if out.returncode != 0:
            return float("nan")
        values.append(float(out.stdout))
    return statistics.median(values)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    configs = ["loopback TCP", "raw AF_UNIX", "cwrap socket"]
    if Path(UPSTREAM).exists():
        configs.append("upstream socket_wrapper")
    with tempfile.TemporaryDirectory(prefix="cwb-") as tmpdir:
        tmp = Path(tmpdir)
        binary = build(tmp)
        results = {m: {c: measure(binary, m, c, tmp, repeats) for c in configs} for m in MODES}
    print(f"socket shim benchmark (median of {repeats}); ratios against raw AF_UNIX")
    header = "".join(f"{c:>26}" for c in configs)
    print(f"{'':38}{header}")
    for mode, (title, unit, _) in MODES.items():
        row = results[mode]
        base = row["raw AF_UNIX"]
        cells = "".join(f"{'failed':>26}" if row[c] != row[c] else
                        f"{row[c]:>14.1f} {unit:<7}{row[c] / base:>5.2f}x" for c in configs)
        print(f"{title:<38}{cells}")
    fd = results["fdio"]
    print(f"\nnon-socket read/write overhead of the shim: "
          f"{fd['cwrap socket'] - fd['raw AF_UNIX']:+.1f} ns per call")


if __name__ == "__main__":
    main()
