#!/usr/bin/env python3
"""What the UID shim costs: process start-up and the get*id calls.

    python3 bench/uid_startup.py [--runs N] [--calls N] [--lib PATH]

Starts a trivial C program many times (interleaved, so drift hits every
variant alike) with no shim, with an empty preloaded library (what any
LD_PRELOAD costs on this machine: the floor), with the UID shim loaded but
off, with it on as fake root, and with upstream's libuid_wrapper.so when
it is installed; prints the median start time of each and its overhead
over no shim and over the empty library.  Then times the
get*id calls with and without the shim.  Prints figures and ratios only:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
UPSTREAM = Path("/usr/lib/x86_64-linux-gnu/libuid_wrapper.so")


def build(src: Path, out: Path) -> Path:
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", str(out), str(src)], check=True)
    return out


def ours() -> str:
    try:
        import cwrap
        return str(cwrap.lib_path("uid"))
    except Exception:  # noqa: BLE001 - fall back to a checkout's build
        return str(HERE.parent / "csrc" / "build" / "libcwrap_uid.so")


def spawn_once(argv: list[str], env: dict[str, str]) -> int:
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env)
    os.waitpid(pid, 0)
    return time.perf_counter_ns() - t0


def startup(prog: Path, variants: dict[str, dict[str, str]], runs: int) -> dict[str, float]:
    times: dict[str, list[int]] = {name: [] for name in variants}
    for name, env in variants.items():          # warm caches
        for _ in range(20):
            spawn_once([str(prog)], env)
    for _ in range(runs):
        for name, env in variants.items():
            times[name].append(spawn_once([str(prog)], env))
    return {name: statistics.median(t) / 1000 for name, t in times.items()}


def getid(prog: Path, env: dict[str, str], calls: int) -> dict[str, float]:
    out = subprocess.run([str(prog), str(calls)], env=env, capture_output=True,
                         text=True, check=True).stdout
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in out.splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--lib", default=ours(), help="the UID shim to measure")
    args = parser.parse_args()

    base = {"PATH": "/usr/bin:/bin"}
    on = {"UID_WRAPPER": "1", "UID_WRAPPER_ROOT": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        true_c = Path(tmp) / "true.c"
        true_c.write_text("int main(void) { return 0; }\n")
        prog = build(true_c, Path(tmp) / "true")
        empty_c = Path(tmp) / "empty.c"
        empty_c.write_text("int cwrap_bench_empty(void) { return 0; }\n")
        empty = Path(tmp) / "empty.so"
        subprocess.run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-O2", "-o",
                        str(empty), str(empty_c)], check=True)
        getid_prog = build(HERE / "uid_getid.c", Path(tmp) / "getid")

        variants = {
            "no shim": base,
            "empty preload (floor)": {**base, "LD_PRELOAD": str(empty), **on},
            "cwrap uid, off": {**base, "LD_PRELOAD": args.lib},
            "cwrap uid, root": {**base, "LD_PRELOAD": args.lib, **on},
        }
        if UPSTREAM.exists():
            variants["upstream uid_wrapper, root"] = {**base, "LD_PRELOAD": str(UPSTREAM), **on}
        print(f"process start, median of {args.runs} (µs):")
        medians = startup(prog, variants, args.runs)
        ref = medians["no shim"]
        floor = medians["empty preload (floor)"]
        print(f"  {'':30s} {'median':>8s} {'+no shim':>9s} {'+floor':>8s}")
        for name, value in medians.items():
            print(f"  {name:30s} {value:8.1f} {value - ref:+9.1f} {value - floor:+8.1f}")

        print(f"\nget*id calls, ns per call ({args.calls} calls):")
        real = getid(getid_prog, base, args.calls)
        fake = getid(getid_prog, {**base, "LD_PRELOAD": args.lib, **on}, args.calls)
        up = (getid(getid_prog, {**base, "LD_PRELOAD": str(UPSTREAM), **on}, args.calls)
              if UPSTREAM.exists() else None)
        head = f"  {'call':22s} {'real':>8s} {'cwrap':>8s} {'ratio':>7s}"
        print(head + (f" {'upstream':>9s}" if up else ""))
        for name in real:
            line = f"  {name:22s} {real[name]:8.1f} {fake[name]:8.1f} {fake[name] / real[name]:7.2f}"
            if up:
                line += f" {up[name]:9.1f}"
            print(line)


if __name__ == "__main__":
    main()
