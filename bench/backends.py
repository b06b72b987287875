#!/usr/bin/env python3
"""What each backend costs to start: an environment (from nothing to the
end of its first program) and each further program in it.

    python bench/backends.py [rounds]

Run it as the user the programs are for (namespaces are made by that
user).  Figures are medians over `rounds`:

* environment: Environment(...).start(), run /bin/true once, close();
  for the namespace backend this includes the holder process (Python,
  pyroute2, 128 addresses, the /etc overlays).
* per program: env.run(["/bin/true"]) in a started environment, next to
  a plain subprocess.run of the same: without a preexec function
  (subprocess then uses vfork, as the preload backend does) and with one
  (fork, as the namespace backend needs for its setns calls).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import cwrap

TRUE = ["/bin/true"]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def environment_cost(backend: str, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        begin = time.perf_counter()
        with cwrap.Environment(backend=backend, keep=False) as env:
            env.run(TRUE, check=True)
        samples.append(time.perf_counter() - begin)
    return median_ms(samples)


def program_cost(backend: str | None, rounds: int, per_round: int = 20,
                 preexec: bool = False) -> float:
    samples = []
    if backend is None:
        extra = {"preexec_fn": lambda: None} if preexec else {}
        for _ in range(rounds):
            begin = time.perf_counter()
            for _ in range(per_round):
                subprocess.run(TRUE, check=True, **extra)
            samples.append((time.perf_counter() - begin) / per_round)
        return median_ms(samples)
    with cwrap.Environment(backend=backend, keep=False) as env:
        env.run(TRUE, check=True)            # the holder is up
        for _ in range(rounds):
            begin = time.perf_counter()
            for _ in range(per_round):
                env.run(TRUE, check=True)
            samples.append((time.perf_counter() - begin) / per_round)
    return median_ms(samples)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"{'':34} {'median ms':>10}")
    for backend in ("preload", "namespaces"):
        print(f"environment, {backend:<21} {environment_cost(backend, rounds):10.1f}")
    plain = {"preload": program_cost(None, rounds),
             "namespaces": program_cost(None, rounds, preexec=True)}
    print(f"{'per program, no cwrap (vfork)':<34} {plain['preload']:10.2f}")
    print(f"{'per program, no cwrap (fork)':<34} {plain['namespaces']:10.2f}")
    for backend in ("preload", "namespaces"):
        cost = program_cost(backend, rounds)
        print(f"per program, {backend:<21} {cost:10.2f}  "
              f"({cost - plain[backend]:+.2f} on the same path without cwrap)")


if __name__ == "__main__":
    main()
