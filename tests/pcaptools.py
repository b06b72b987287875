"""tshark helpers shared by the capture tests: the expert items of a
capture (without the chats) and the bytes of each TCP stream."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import require_tool

TSHARK_CHECKSUMS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                    "-o", "ip.check_checksum:TRUE"]
# Notes a real capture shows too.
HARMLESS = ("connection closing",)


def tshark(*args: str) -> str:
    result = subprocess.run([require_tool("tshark"), *TSHARK_CHECKSUMS, *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "cut short" not in result.stderr and "appears to be damaged" not in result.stderr
    return result.stdout


def expert(path: Path) -> list[str]:
    """The expert items of errors, warnings and notes, without the chats."""
    out, section = [], ""
    for line in tshark("-r", str(path), "-q", "-z", "expert").splitlines():
        head = re.match(r"^(Errors|Warns|Notes|Chats) \(\d+\)", line)
        if head:
            section = head.group(1)
            continue
        item = re.match(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$", line)
        if item and section in ("Errors", "Warns", "Notes") and item.group(1) != "Frequency":
            out.append(f"{section}: {item.group(3)} {item.group(4)} (x{item.group(1)})")
    return out


def problems(path: Path) -> list[str]:
    return [e for e in expert(path) if not any(h in e for h in HARMLESS)]


def follow(path: Path, stream: int) -> tuple[bytes, bytes]:
    """tshark's reassembly of TCP stream N: (client to server, server to client)."""
    text = tshark("-r", str(path), "-q", "-z", f"follow,tcp,raw,{stream}")
    up, down = bytearray(), bytearray()
    body = text.split("Node 1:", 1)[1].split("\n", 1)[1]
    for line in body.splitlines():
        if line.startswith("==="):
            break
        if line.startswith("\t"):
            down += bytes.fromhex(line.strip())
        elif line.strip():
            up += bytes.fromhex(line.strip())
    return bytes(up), bytes(down)


def tcp_streams(path: Path) -> int:
    out = tshark("-r", str(path), "-T", "fields", "-e", "tcp.stream")
    return len({x for x in out.split() if x})
