"""A full disk under the capture (SOCKET_WRAPPER_PCAP_FILE on a 1 MiB
tmpfs): the program's traffic is untouched, one message says records are
being lost, the file stays a valid capture (no torn record at its end),
and once space is freed the same process captures again and says how much
was lost."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import cwrap
from conftest import require_tool, user_environ
from pcaptools import problems, tshark

from .helpers import socket_env

# Phase 1 overflows the disk with a 2 MiB transfer on a connection that
# stays open; phase 2 (after the test frees space) sends small messages on
# it until the capture file grows again, then a last message on a fresh
# connection, which must be captured whole.  The 20 s bound only stops a
# broken run.
SCRIPT = r"""
import os, socket, sys, threading, time
cap = sys.argv[1]
pattern = bytes((i * 7 + i // 251) & 255 for i in range(2 << 20))

def pair(port):
    lst = socket.socket(); lst.bind(("127.0.0.10", port)); lst.listen()
    c = socket.create_connection(("127.0.0.10", port), timeout=30)
    a, _ = lst.accept(); lst.close()
    return c, a

def through(c, a, data):
    t = threading.Thread(target=c.sendall, args=(data,)); t.start()
    got = bytearray()
    while len(got) < len(data):
        got += a.recv(65536)
    t.join()
    return bytes(got) == data

c, a = pair(4020)
print("phase1", through(c, a, pattern), flush=True)
sys.stdin.readline()                      # the test frees space
size, deadline, n = os.path.getsize(cap), time.monotonic() + 20, 0
while os.path.getsize(cap) == size and time.monotonic() < deadline:
    through(c, a, b"marker %d" % n); n += 1; time.sleep(0.02)
print("resumed", os.path.getsize(cap) > size, flush=True)
c2, a2 = pair(4022)
ok = through(c2, a2, b"after the disk was freed")
for s in (c2, a2, c, a):
    s.close()
print("phase2", ok)
"""


def whole_records(path: Path) -> int:
    """Checks the file record by record (the repo's reader stops quietly at
    a torn record; this one fails): each record is one whole IP packet and
    the file ends exactly after the last one."""
    data = path.read_bytes()
    assert data[:4] == b"\x4d\x3c\xb2\xa1" and len(data) >= 24
    off, count = 24, 0
    while off < len(data):
        assert off + 16 <= len(data), f"torn record header at {off}"
        incl, orig = struct.unpack_from("<II", data, off + 8)
        frame = data[off + 16:off + 16 + incl]
        assert len(frame) == incl == orig, f"torn record at {off}"
        ip_len = struct.unpack("!H", frame[2:4])[0] if frame[0] >> 4 == 4 \
            else 40 + struct.unpack("!H", frame[4:6])[0]
        assert ip_len == incl, f"record at {off} is not one IP packet"
        off += 16 + incl
        count += 1
    return count


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 1 MiB tmpfs anyone may write to, unmounted afterwards."""
    require_tool("mount")
    path = Path(tempfile.mkdtemp(prefix="cwt-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=1777", "tmpfs", str(path)],
                   check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)
        path.rmdir()


def start_on_small_disk(run_as, make_env, small_disk: Path, script: str):
    """A wrapped Python SCRIPT capturing to cap.pcap on the 1 MiB disk, with
    a filler file leaving about 384 KiB free; returns (capture path, filler
    path, process)."""
    env = make_env(socket=True, nss=False, uid=False)
    cap = small_disk / "cap.pcap"
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (640 << 10))
    variables = user_environ(run_as, **socket_env(env, SOCKET_WRAPPER_PCAP_FILE=str(cap)))
    proc = subprocess.Popen(["python3", "-c", script, str(cap)], env=variables,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(small_disk),
                            **run_as.kwargs())
    return cap, filler, proc


def test_full_disk_loses_records_keeps_file_valid_and_recovers(run_as, make_env, small_disk):
    cap, filler, proc = start_on_small_disk(run_as, make_env, small_disk, SCRIPT)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == "phase1 True\n"      # every byte arrived
        # The disk is full now: the file is whole, the transfer cut short in it.
        full_size = cap.stat().st_size
        assert whole_records(cap) > 0
        tshark("-r", str(cap), "-q")
        (flow,) = cwrap.socket.capture.read_capture(cap).flows(port=4020)
        pattern = bytes((i * 7 + i // 251) & 255 for i in range(2 << 20))
        assert 0 < len(flow.data_to_server) < len(pattern)
        assert pattern.startswith(flow.data_to_server)
        filler.unlink()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert out == "resumed True\nphase2 True\n", out + err
    lost = [x for x in err.splitlines() if "records are dropped" in x]
    assert len(lost) == 1, err
    assert f'SOCKET_WRAPPER_PCAP_FILE="{cap}": cannot append to it: No space left' in lost[0]
    (back,) = [x for x in err.splitlines() if "appending again" in x]
    records, nbytes = map(int, re.search(r"(\d+) records \((\d+) bytes\) were lost",
                                         back).groups())
    assert records > 0 and nbytes > records
    assert len(err.splitlines()) == 2, err
    # Valid again after recovery; the last connection is there whole.
    assert cap.stat().st_size > full_size
    whole_records(cap)
    tshark("-r", str(cap), "-q")
    flows = cwrap.socket.capture.read_capture(cap).flows(port=4022)
    assert [f.data_to_server for f in flows] == [b"after the disk was freed"]
    assert flows[0].ended == "fin"
    # tshark tells the truth about the gap in the first connection, and
    # has nothing else to say.
    gap = ("Warns: TCP Previous segment(s) not captured", "Warns: TCP ACKed segment that "
           "wasn't captured")
    remarks = problems(cap)
    assert any(r.startswith(gap[0]) for r in remarks), remarks
    assert all(r.startswith(gap) for r in remarks), remarks
    assert not os.path.exists(str(cap) + ".tmp")
    print(f"full disk: file {full_size} bytes when full, {records} records "
          f"({nbytes} bytes) lost, {cap.stat().st_size} bytes at the end")


def records_of(path: Path) -> list[bytes]:
    """The records of a capture, each whole (a record may hold less than
    its packet: captured length <= original length); fails on a torn one."""
    data = path.read_bytes()
    off, out = 24, []
    while off < len(data):
        assert off + 16 <= len(data), f"torn record header at {off}"
        incl, orig = struct.unpack_from("<II", data, off + 8)
        assert incl <= orig and off + 16 + incl <= len(data), f"torn record at {off}"
        out.append(data[off:off + 16 + incl])
        off += 16 + incl
    return out


def blocked_flock(st: os.stat_result) -> bool:
    """Someone waits for an flock on this file (/proc/locks: "-> FLOCK",
    then the file as MAJOR:MINOR:INODE)."""
    name = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    return any(line.split()[1:3] == ["->", "FLOCK"] and line.split()[6] == name
               for line in Path("/proc/locks").read_text().splitlines())


MEND_SCRIPT = SCRIPT.split("c, a = pair(4020)")[0] + r"""
c, a = pair(4030)
print("ready", flush=True)
sys.stdin.readline()
print("phase1", through(c, a, pattern), flush=True)
sys.stdin.readline()
c.close(); a.close()
"""


def test_records_appended_after_a_torn_one_are_kept_readable(run_as, make_env, small_disk):
    """The rare case: space comes back between a write cut short and its
    repair, and another writer appends.  The test holds the repair's flock
    to make that happen: the torn record must be mended in place (its
    captured length cut to what was written), the other record kept."""
    cap, filler, proc = start_on_small_disk(run_as, make_env, small_disk, MEND_SCRIPT)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == "ready\n"
        lock = os.open(cap, os.O_RDWR)
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        st = os.fstat(lock)
        for _ in range(3000):            # the repair waits for our lock
            if blocked_flock(st):
                break
            time.sleep(0.01)
        assert blocked_flock(st), "no write was cut short"
        filler.unlink()
        other = first_record(cap)
        with open(cap, "ab") as f:       # another writer, after the torn piece
            f.write(other)
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
        assert proc.stdout.readline() == "phase1 True\n"
        out, err = proc.communicate("\n", timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert "could not be taken back" not in err, err
    records = records_of(cap)
    assert records.count(other) == 2          # its own, and the copy after the torn one
    assert any(struct.unpack_from("<II", r, 8)[0] < struct.unpack_from("<II", r, 12)[0]
               for r in records), "no record was mended"
    tshark("-r", str(cap), "-q")


def first_record(path: Path) -> bytes:
    """The first record of the file (the SYN), as another writer's record."""
    data = path.read_bytes()
    incl = struct.unpack_from("<I", data, 24 + 8)[0]
    return data[24:24 + 16 + incl]
