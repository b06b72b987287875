"""Packet capture on the namespace's loopback, into the same pcap file as
the socket shim's capture (SOCKET_WRAPPER_PCAP_FILE): classic pcap,
nanosecond timestamps, linktype RAW (bare IPv4/IPv6 packets), records
appended with one write() each on an O_APPEND descriptor.

An AF_PACKET socket in the namespace sees each loopback packet twice
(leaving and arriving): only the arriving copy is kept.  Connections the
bridge carries are left out: their shim side is the socket shim's to
capture, and one conversation must not show up twice.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import socket
import struct
import threading
import time
from pathlib import Path

MAGIC_NS = 0xA1B23C4D
LINKTYPE_RAW = 101
SNAPLEN = 262144
_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4

Flow = tuple[str, int]       # (address, port) of one end


def header() -> bytes:
    return struct.pack("=IHHiIII", MAGIC_NS, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW)


def open_capture(path: Path) -> int:
    """An O_APPEND descriptor on the capture file, which has its header
    (created whole through a temporary file and link(), as the shim does)."""
    if not path.exists():
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(header())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if os.fstat(fd).st_size == 0:
            os.write(fd, header())
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
    return fd


def tcp_ends(packet: bytes) -> tuple[Flow, Flow] | None:
    """(source, destination) of a TCP packet, None for anything else."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20 and packet[9] == socket.IPPROTO_TCP:
        offset = (packet[0] & 0x0F) * 4
        src, dst = packet[12:16], packet[16:20]
    elif version == 6 and len(packet) >= 40 and packet[6] == socket.IPPROTO_TCP:
        offset = 40
        src, dst = packet[8:24], packet[24:40]
    else:
        return None
    if len(packet) < offset + 4:
        return None
    sport, dport = struct.unpack_from("!HH", packet, offset)
    return ((str(ipaddress.ip_address(src)), sport), (str(ipaddress.ip_address(dst)), dport))


class Capture:
    """Runs in the holder, inside the namespace."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(_ETH_P_ALL))
        self.sock.bind(("lo", 0))
        self.fd = open_capture(path)
        #: ends owned by the bridge (its kernel listeners and its sources)
        self.skip: set[Flow] = set()
        self.lock = threading.Lock()

    def bridged(self, end: Flow, on: bool = True) -> None:
        with self.lock:
            (self.skip.add if on else self.skip.discard)(end)

    def run_forever(self) -> None:
        while True:
            packet, address = self.sock.recvfrom(SNAPLEN)
            if address[2] == _PACKET_OUTGOING:
                continue
            ends = tcp_ends(packet)
            if ends is not None and self.skip and (ends[0] in self.skip or ends[1] in self.skip):
                continue
            now = time.time_ns()
            record = struct.pack("=IIII", now // 1_000_000_000, now % 1_000_000_000,
                                 len(packet), len(packet))
            os.write(self.fd, record + packet)
