#!/usr/bin/env python3
"""What loading each shim adds to a process start.

Starts /bin/true many times with no preload, with an empty preloaded
library (the loader's own cost of any preload), with each shim, with all
three, and with Debian's upstream cwrap libraries when installed.  The
configurations are interleaved round by round so machine noise hits all
of them alike; the median per configuration is printed with its
difference from no preload.

    .venv/bin/python bench/startup.py [rounds]
    .venv/bin/python bench/startup.py --instructions   # repeatable counts
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

TRUE = "/bin/true"
PER_ROUND = 40
UPSTREAM = {
    "upstream socket_wrapper": "/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so",
    "upstream nss_wrapper": "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so",
    "upstream uid_wrapper": "/usr/lib/x86_64-linux-gnu/libuid_wrapper.so",
}


def empty_library(directory: Path) -> str:
    src, lib = directory / "empty.c", directory / "libempty.so"
    src.write_text("int cwrap_bench_empty(void) { return 0; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(lib), str(src)], check=True)
    return str(lib)


def one_round(env: dict[str, str]) -> float:
    begin = time.perf_counter()
    for _ in range(PER_ROUND):
        pid = os.posix_spawn(TRUE, [TRUE], env)
        os.waitpid(pid, 0)
    return (time.perf_counter() - begin) / PER_ROUND


def instructions(env: dict[str, str]) -> int:
    """Instructions to start and end /bin/true (valgrind's callgrind):
    repeatable whatever else the machine is doing."""
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", TRUE],
                         env=env, capture_output=True, text=True).stderr
    return int(out.split("Collected : ")[1].split()[0])


def main() -> None:
    if sys.argv[1:2] == ["--instructions"]:
        return main_instructions()
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with cwrap.Environment() as world, tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in world.environ.items() if k != "LD_PRELOAD"}
        base["UID_WRAPPER_ROOT"] = "1"
        configs: dict[str, str | None] = {"no preload": None,
                                          "empty library": empty_library(Path(tmp))}
        for shim in cwrap.SHIMS:
            configs[f"cwrap {shim}"] = str(cwrap.lib_path(shim))
        configs["cwrap socket+nss+uid"] = ":".join(str(cwrap.lib_path(s)) for s in cwrap.SHIMS)
        configs.update({k: v for k, v in UPSTREAM.items() if Path(v).exists()})
        samples: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(rounds):
            for name, preload in configs.items():
                env = base if preload is None else dict(base, LD_PRELOAD=preload)
                samples[name].append(one_round(env))
    medians = {name: statistics.median(s) for name, s in samples.items()}
    baseline, empty = medians["no preload"], medians["empty library"]
    print(f"process start of {TRUE}: median of {rounds} rounds x {PER_ROUND} starts")
    print(f"  {'configuration':<26} {'start':>9} {'adds':>9} {'vs empty lib':>13}")
    for name, t in medians.items():
        print(f"  {name:<26} {t * 1e6:7.1f}us {(t - baseline) * 1e6:7.1f}us "
              f"{(t - empty) * 1e6:11.1f}us")


def main_instructions() -> None:
    with cwrap.Environment() as world, tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in world.environ.items() if k != "LD_PRELOAD"}
        configs: dict[str, str | None] = {"no preload": None,
                                          "empty library": empty_library(Path(tmp))}
        for shim in cwrap.SHIMS:
            configs[f"cwrap {shim}"] = str(cwrap.lib_path(shim))
        configs.update({k: v for k, v in UPSTREAM.items() if Path(v).exists()})
        counts = {name: instructions(base if lib is None else dict(base, LD_PRELOAD=lib))
                  for name, lib in configs.items()}
    print(f"instructions to run {TRUE} (callgrind; the same on every run)")
    for name, count in counts.items():
        print(f"  {name:<26} {count:>9,}  over empty library "
              f"{count - counts['empty library']:>+8,}")


if __name__ == "__main__":
    main()
