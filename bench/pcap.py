#!/usr/bin/env python3
"""What capture costs: throughput and round trips with
SOCKET_WRAPPER_PCAP_FILE set against the same shim without it, for this
shim and (when installed) Debian's upstream libsocket_wrapper.

    .venv/bin/python bench/pcap.py [repeats] [MiB per throughput run] [directory]

The capture file is on disk (a temporary directory under /var/tmp, so in
the page cache), as a user would have it; each run starts a new file.
Give a directory on tmpfs (/dev/shm) to see the shim's own cost apart
from the file system's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cwrap

HERE = Path(__file__).resolve().parent
UPSTREAM = "/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so"
MODES = {"throughput": "MB/s", "pingpong": "rt/s", "connrate": "conn/s"}


def build(tmp: Path) -> Path:
    binary = tmp / "socket_bench"
    subprocess.run(["cc", "-O2", "-o", str(binary), str(HERE / "socket_bench.c"), "-lpthread"],
                   check=True)
    return binary


def measure(binary: Path, mode: str, lib: str, pcap: bool, tmp: Path, repeats: int,
            total_mb: int) -> float:
    sock_dir = tmp / "s"
    sock_dir.mkdir(exist_ok=True)
    cap = tmp / "bench.pcap"
    env = dict(os.environ, LD_PRELOAD=lib, SOCKET_WRAPPER_DIR=str(sock_dir),
               SOCKET_WRAPPER_DEFAULT_IFACE="20", BENCH_TOTAL_MB=str(total_mb))
    env.pop("SOCKET_WRAPPER_PCAP_FILE", None)
    if pcap:
        env["SOCKET_WRAPPER_PCAP_FILE"] = str(cap)
    values = []
    for _ in range(repeats):
        cap.unlink(missing_ok=True)
        out = subprocess.run([str(binary), mode, "inet", "127.0.0.10", "8080"], env=env,
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            return float("nan")
        values.append(float(out.stdout))
    cap.unlink(missing_ok=True)
    return statistics.median(values)


def file_ceiling(tmp: Path, total_mb: int) -> float:
    """MB/s of plain 256 KiB appends to a file in the same directory: no
    capture can record bulk data faster than its file takes it."""
    path = tmp / "ceiling"
    chunk = b"\0" * (256 * 1024)
    start = time.perf_counter()
    with open(path, "wb", buffering=0) as f:
        for _ in range(total_mb * 4):
            f.write(chunk)
    elapsed = time.perf_counter() - start
    path.unlink()
    return total_mb * 1024 * 1024 / elapsed / 1e6


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    total_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    base = sys.argv[3] if len(sys.argv) > 3 else "/var/tmp"
    libs = {"cwrap socket": str(cwrap.lib_path("socket"))}
    if Path(UPSTREAM).exists():
        libs["upstream socket_wrapper"] = UPSTREAM
    print(f"capture cost (median of {repeats}; throughput over {total_mb} MiB); "
          "ratio = with capture / without")
    print(f"capture file under {base}")
    with tempfile.TemporaryDirectory(prefix="cwpb-", dir=base) as tmpdir:
        tmp = Path(tmpdir)
        binary = build(tmp)
        print(f"{'file write ceiling':<36} {file_ceiling(tmp, total_mb):>10.1f} MB/s "
              "(256 KiB appends to the capture's file system)")
        for name, lib in libs.items():
            for mode, unit in MODES.items():
                off = measure(binary, mode, lib, False, tmp, repeats, total_mb)
                on = measure(binary, mode, lib, True, tmp, repeats, total_mb)
                ratio = on / off if off == off and on == on and off else float("nan")
                print(f"{name:<24} {mode:<11} off {off:>10.1f} {unit:<7} "
                      f"on {on:>10.1f} {unit:<7} {ratio:>5.2f}x")


if __name__ == "__main__":
    main()
