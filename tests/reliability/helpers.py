"""Shared pieces of the reliability tests."""

from __future__ import annotations

import os
from pathlib import Path

import cwrap


def socket_env(env: cwrap.Environment, iface: int = 10, **extra: str) -> dict[str, str]:
    return {**env.variables, "LD_PRELOAD": str(cwrap.lib_path("socket")),
            "SOCKET_WRAPPER_DEFAULT_IFACE": str(iface), **extra}


def socket_files(env: cwrap.Environment) -> list[str]:
    """The socket directory's entries but the capture's connection table
    (.pcap-conns, one fixed-size file, kept for the directory's life)."""
    return sorted(n for n in os.listdir(env.variables["SOCKET_WRAPPER_DIR"])
                  if n != ".pcap-conns")


def sanitizer_runtimes() -> list[str]:
    import subprocess
    cc = os.environ.get("CC", "cc")
    out = []
    for name in ("libasan.so", "libubsan.so"):
        path = subprocess.run([cc, f"-print-file-name={name}"], capture_output=True,
                              text=True, check=True).stdout.strip()
        assert os.path.isabs(path), f"{cc} has no {name}"
        out.append(path)
    return out


REPO = Path(__file__).resolve().parents[2]
