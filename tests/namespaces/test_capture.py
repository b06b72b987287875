"""The namespace side of packet capture: the environment's pcap file
(SocketConfig(pcap_file=...), the shim's SOCKET_WRAPPER_PCAP_FILE) gets
the namespace's loopback traffic in the shim's format, each packet once,
and never a second copy of a connection the bridge carries."""

from __future__ import annotations

import struct
import time
from pathlib import Path

from conftest import require_tool
from namespaces.helpers import CURL

from cwrap import SocketConfig
from cwrap.namespaces.capture import LINKTYPE_RAW, MAGIC_NS, tcp_ends


SENTINEL = ("import socket; s = socket.create_server(('127.0.0.12', 9)); "
            "socket.create_connection(('127.0.0.12', 9)).close()")


def read_pcap(path: Path) -> list[bytes]:
    data = path.read_bytes()
    magic, major, minor, _, _, _, link = struct.unpack_from("=IHHiIII", data)
    assert (magic, major, minor, link) == (MAGIC_NS, 2, 4, LINKTYPE_RAW)
    packets, offset = [], 24
    while offset + 16 <= len(data):
        _, nsec, incl, orig = struct.unpack_from("=IIII", data, offset)
        assert incl == orig and nsec < 1_000_000_000
        packets.append(data[offset + 16:offset + 16 + incl])
        offset += 16 + incl
    assert offset == len(data)
    return packets


def syns_to(packets: list[bytes], end: tuple[str, int]) -> int:
    count = 0
    for p in packets:
        ends = tcp_ends(p)
        offset = (p[0] & 0x0F) * 4
        if ends and ends[1] == end and p[offset + 13] & 0x12 == 0x02:
            count += 1
    return count


def wait_for_packets(path: Path, check, timeout: float = 5.0) -> list[bytes]:
    deadline = time.monotonic() + timeout
    while True:
        packets = read_pcap(path) if path.exists() else []
        if check(packets) or time.monotonic() > deadline:
            return packets
        time.sleep(0.05)


def test_namespace_loopback_is_captured(make_env, run_as, static_server, shared_tmp):
    require_tool("curl")
    pcap = shared_tmp / "cap.pcap"
    env = make_env(backend="namespaces", socket=SocketConfig(pcap_file=pcap))
    web = env.host("web")
    env.spawn([str(static_server), web.ipv4, "80"], host=web, ready=80, **run_as.kwargs())
    out = env.run(CURL + ["http://web/"], capture_output=True, text=True, **run_as.kwargs())
    assert out.returncode == 0, out.stderr

    def complete(packets: list[bytes]) -> bool:
        return any(b"static server web.cwrap.test" in p for p in packets) and \
            any(b"GET / HTTP/1.1" in p for p in packets)

    packets = wait_for_packets(pcap, complete)
    assert complete(packets)
    assert syns_to(packets, (web.ipv4, 80)) == 1          # each packet once
    requests = [p for p in packets if b"GET / HTTP/1.1" in p]
    assert len(requests) == 1 and tcp_ends(requests[0])[1] == (web.ipv4, 80)


def test_bridged_connection_is_not_captured_twice(make_env, run_as, static_server, shared_tmp):
    require_tool("curl")
    pcap = shared_tmp / "cap.pcap"
    env = make_env(backend="auto", socket=SocketConfig(pcap_file=pcap))
    web, client = env.host("web"), env.host("client")
    env.spawn([str(static_server), web.ipv4, "80"], host=web, ready=80, **run_as.kwargs())
    out = env.run(CURL + ["http://web/"], host=client, capture_output=True, text=True,
                  **run_as.kwargs())
    assert out.stdout == "static server web.cwrap.test saw 127.0.0.11\n", out.stderr
    # A connection inside the namespace after it: once the capture has it,
    # it has everything before it.
    env.run(["/usr/bin/python3", "-c", SENTINEL], backend="namespaces", check=True,
            **run_as.kwargs())
    packets = wait_for_packets(pcap, lambda ps: syns_to(ps, ("127.0.0.12", 9)) == 1)
    assert syns_to(packets, ("127.0.0.12", 9)) == 1
    # The bridge's kernel side is left to the socket shim's capture: at
    # most one SYN for the conversation, whoever writes it.
    bridged = [p for p in packets if tcp_ends(p) and tcp_ends(p)[1] == (web.ipv4, 80)
               and tcp_ends(p)[0][0] == client.ipv4]
    assert syns_to(bridged, (web.ipv4, 80)) <= 1
    # Without the skip the namespace side would add a second copy of it.
    answer = b"static server web.cwrap.test saw 127.0.0.11"
    assert sum(answer in p for p in packets) <= 1
