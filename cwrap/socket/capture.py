"""Reading a capture written by the socket shim (SOCKET_WRAPPER_PCAP_FILE).

A small typed reader of the classic pcap format (microsecond or
nanosecond, either byte order) with raw-IP (101) or Ethernet (1) frames,
enough to assert on what crossed the fake network::

    cap = env.capture()
    (flow,) = cap.flows(port=80)
    assert flow.data_to_server.startswith(b"GET / ")
    assert flow.ended == "fin"

Flows are TCP connections and UDP conversations, keyed by their two
endpoints; the data of each TCP direction is reassembled by sequence
number, so it is what the receiving program read.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CwrapError

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class CaptureError(CwrapError):
    """The file is not a capture this reader understands."""


@dataclass(frozen=True)
class Packet:
    """One IP packet: addresses, ports, protocol (tcp, udp, icmp, icmpv6)."""

    time: float
    src: str
    dst: str
    proto: str
    sport: int = 0
    dport: int = 0
    payload: bytes = b""
    seq: int = 0
    ack: int = 0
    flags: int = 0
    icmp_type: int = -1
    icmp_code: int = -1

    @property
    def flag_names(self) -> str:
        names = ("FIN", "SYN", "RST", "PSH", "ACK")
        return ",".join(n for i, n in enumerate(names) if self.flags & (1 << i))


@dataclass
class Flow:
    """A TCP connection or UDP conversation.  `client` is the side that
    sent the first packet (the SYN for TCP)."""

    proto: str
    client: tuple[str, int]
    server: tuple[str, int]
    packets: list[Packet] = field(default_factory=list)
    _segments: dict[bool, dict[int, bytes]] = field(default_factory=lambda: {True: {}, False: {}})
    _isn: dict[bool, int] = field(default_factory=dict)
    _dgrams: dict[bool, list[bytes]] = field(default_factory=lambda: {True: [], False: []})
    unreachable: bool = False

    def _add(self, pkt: Packet) -> None:
        self.packets.append(pkt)
        to_server = (pkt.src, pkt.sport) == self.client
        if self.proto == "udp":
            self._dgrams[to_server].append(pkt.payload)
            return
        if pkt.flags & SYN:
            self._isn[to_server] = pkt.seq
        if pkt.payload:
            self._segments[to_server].setdefault(pkt.seq, pkt.payload)

    def _stream(self, to_server: bool) -> bytes:
        if self.proto == "udp":
            return b"".join(self._dgrams[to_server])
        segs = self._segments[to_server]
        if not segs:
            return b""
        start = (self._isn[to_server] + 1) if to_server in self._isn else min(segs)
        out, pos = bytearray(), start & 0xFFFFFFFF
        while pos in segs:
            data = segs[pos]
            out += data
            pos = (pos + len(data)) & 0xFFFFFFFF
        return bytes(out)

    @property
    def data_to_server(self) -> bytes:
        return self._stream(True)

    @property
    def data_to_client(self) -> bytes:
        return self._stream(False)

    @property
    def datagrams_to_server(self) -> list[bytes]:
        return list(self._dgrams[True])

    @property
    def datagrams_to_client(self) -> list[bytes]:
        return list(self._dgrams[False])

    @property
    def ended(self) -> str:
        """rst, fin (both sides closed), half-closed, open, refused (TCP);
        "unreachable" for UDP that drew an ICMP port unreachable, else ""."""
        if self.proto != "tcp":
            return "unreachable" if self.unreachable else ""
        flags = [p.flags for p in self.packets]
        if any(f & RST for f in flags):
            established = any((f & SYN) and (f & ACK) for f in flags)
            return "rst" if established else "refused"
        fins = {(p.src, p.sport) for p in self.packets if p.flags & FIN}
        return {0: "open", 1: "half-closed"}.get(len(fins), "fin")

    def summary(self) -> str:
        c, s = self.client, self.server
        up, down = len(self.data_to_server), len(self.data_to_client)
        end = f" {self.ended}" if self.ended else ""
        return (f"{self.proto} {_ep(c)} -> {_ep(s)}  {len(self.packets)} packets  "
                f"{up} bytes ->, {down} bytes <-{end}")


def _ep(ep: tuple[str, int]) -> str:
    host, port = ep
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class Capture:
    packets: list[Packet]

    def flows(self, proto: str | None = None, port: int | None = None) -> list[Flow]:
        """Flows in order of their first packet; filtered by protocol and by
        a port either end uses."""
        flows: dict[tuple[str, frozenset[tuple[str, int]]], Flow] = {}
        out: list[Flow] = []
        for pkt in self.packets:
            if pkt.proto not in ("tcp", "udp"):
                continue
            a, b = (pkt.src, pkt.sport), (pkt.dst, pkt.dport)
            key = (pkt.proto, frozenset((a, b)))
            flow = flows.get(key)
            if flow is None or (pkt.proto == "tcp" and pkt.flags & SYN and not pkt.flags & ACK
                                and flow.packets and flow.ended in ("fin", "rst", "refused")):
                flow = flows[key] = Flow(pkt.proto, a, b)
                out.append(flow)
            flow._add(pkt)
        for pkt in self.icmp():
            inner = _ip(pkt.time, pkt.payload)
            if inner is not None and inner.proto == "udp":
                key = ("udp", frozenset(((inner.src, inner.sport), (inner.dst, inner.dport))))
                if key in flows:
                    flows[key].unreachable = True
        return [f for f in out if (proto is None or f.proto == proto)
                and (port is None or port in (f.client[1], f.server[1]))]

    def icmp(self) -> list[Packet]:
        return [p for p in self.packets if p.proto in ("icmp", "icmpv6")]


def read_capture(path: str | os.PathLike[str]) -> Capture:
    data = Path(path).read_bytes()
    return Capture(list(_packets(data)))


def _packets(data: bytes) -> Iterator[Packet]:
    if len(data) < 24 or data[:4] not in _MAGICS:
        raise CaptureError("not a pcap file")
    endian, unit = _MAGICS[data[:4]]
    (linktype,) = struct.unpack(endian + "I", data[20:24])
    if linktype not in (LINKTYPE_RAW, LINKTYPE_ETHERNET):
        raise CaptureError(f"link type {linktype} is not raw IP or Ethernet")
    off = 24
    rec = struct.Struct(endian + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, _orig = rec.unpack_from(data, off)
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < incl:
            break                   # a record still being written
        if linktype == LINKTYPE_ETHERNET:
            frame = frame[14:]
        pkt = _ip(sec + frac * unit, frame)
        if pkt is not None:
            yield pkt


def _ip(time: float, frame: bytes) -> Packet | None:
    if not frame:
        return None
    if frame[0] >> 4 == 4:
        ihl = (frame[0] & 15) * 4
        total = struct.unpack("!H", frame[2:4])[0]
        proto = frame[9]
        src, dst = str(ipaddress.IPv4Address(frame[12:16])), str(ipaddress.IPv4Address(frame[16:20]))
        body = frame[ihl:total]
    elif frame[0] >> 4 == 6:
        plen = struct.unpack("!H", frame[4:6])[0]
        proto = frame[6]
        src, dst = str(ipaddress.IPv6Address(frame[8:24])), str(ipaddress.IPv6Address(frame[24:40]))
        body = frame[40:40 + plen]
    else:
        return None
    if proto == 6 and len(body) >= 20:
        sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", body[:14])
        hlen = (off_flags >> 12) * 4
        return Packet(time, src, dst, "tcp", sport, dport, body[hlen:], seq, ack, off_flags & 0x3F)
    if proto == 17 and len(body) >= 8:
        sport, dport, length = struct.unpack("!HHH", body[:6])
        return Packet(time, src, dst, "udp", sport, dport, body[8:length])
    if proto in (1, 58) and len(body) >= 4:
        return Packet(time, src, dst, "icmp" if proto == 1 else "icmpv6", payload=body[8:],
                      icmp_type=body[0], icmp_code=body[1])
    return None
