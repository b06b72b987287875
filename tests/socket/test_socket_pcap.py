"""Packet capture (SOCKET_WRAPPER_PCAP_FILE): tshark reads the file as a
clean, true conversation — no retransmission, out-of-order, missing or
malformed segment, bad checksum or RST that did not happen — and following
each TCP stream gives back the exact bytes of each direction."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import require_tool
from test_socket_more import asan_shim  # noqa: F401 - fixture
from test_socket_programs import nginx_conf, popen, run, start_nginx

from pcaptools import expert, follow, problems, tcp_streams, tshark  # noqa: E402


@pytest.fixture
def net(make_env):
    return make_env(socket=True, nss=False, uid=False, pcap=True)


def probe(net, run_as, probes, *args, timeout=120):
    env = {"SOCKET_WRAPPER_DEFAULT_IFACE": "20"}
    result = net.run([str(probes("pcap_probe")), *args], env=env, capture_output=True,
                     text=True, timeout=timeout, **run_as.kwargs())
    assert result.returncode == 0 and result.stdout.endswith("ok\n"), result.stdout + result.stderr
    assert "cwrap-socket error" not in result.stderr, result.stderr
    return result


CALLS_SENT = (b"write\nwritev in three parts\nsend\nsendmsg in three parts\n"
              b"sendmmsg first\nsendmmsg second\nsendfile from a file\nsplice from a pipe\n")


@pytest.mark.parametrize("host,server", [("127.0.0.10", "127.0.0.10"),
                                         ("fd00::5357:5f0a", "fd00::5357:5f0a")])
def test_every_send_call_is_captured(net, run_as, probes, host, server):
    probe(net, run_as, probes, "calls", host, "4000")
    path = net.capture_path
    assert problems(path) == []
    assert follow(path, 0) == (CALLS_SENT, b"server got 127 bytes\n")
    (flow,) = net.capture().flows()
    assert flow.server == (server, 4000) and flow.client[0] == server.replace("0a", "14").replace(".10", ".20")
    assert flow.data_to_server == CALLS_SENT and flow.ended == "fin"
    # handshake, 8 sends, FIN, its ACK, reply, FIN, last ACK: nothing twice
    assert [p.flag_names for p in flow.packets][:3] == ["SYN", "SYN,ACK", "ACK"]
    assert len(flow.packets) == 16


def pattern(n: int) -> bytes:
    return bytes((i * 7 + i // 251) & 255 for i in range(n))


def test_ten_mib_transfer(net, run_as, probes):
    size = 10 * 1024 * 1024
    probe(net, run_as, probes, "bulk", "127.0.0.10", "4001", str(size))
    path = net.capture_path
    assert problems(path) == []
    up, down = follow(path, 0)
    want = pattern(size)
    assert len(up) == size and up == want and down == b"done\n"
    (flow,) = net.capture().flows()
    assert flow.data_to_server == want


def test_fifty_concurrent_connections(net, run_as, probes):
    probe(net, run_as, probes, "many", "127.0.0.10", "4002", "50")
    path = net.capture_path
    assert problems(path) == []
    flows = net.capture().flows(port=4002)
    assert len(flows) == 50 and tcp_streams(path) == 50
    for flow in flows:
        k = flow.data_to_server.decode().split()[1]
        assert flow.data_to_server == f"hello {k}".encode()
        assert flow.data_to_client == f"bye {k}".encode()
        assert flow.ended == "fin"
    for n in (0, 17, 49):
        up, down = follow(path, n)
        assert up.startswith(b"hello ") and down == b"bye " + up[6:]


@pytest.mark.parametrize("host,bcast", [("127.0.0.10", "127.255.255.255"),
                                        ("fd00::5357:5f0a", "-")])
def test_udp_exchange_unreachable_and_broadcast(net, run_as, probes, host, bcast):
    probe(net, run_as, probes, "udp", host, "4003", bcast)
    path = net.capture_path
    assert problems(path) == []
    cap = net.capture()
    flows = cap.flows(proto="udp")
    assert flows[0].datagrams_to_server == [b"ping"] and flows[0].datagrams_to_client == [b"pong"]
    assert flows[0].ended == ""
    assert flows[1].server == (host, 4004) and flows[1].ended == "unreachable"
    (icmp,) = cap.icmp()
    assert icmp.src == host and (icmp.icmp_type, icmp.icmp_code) == ((3, 3) if bcast != "-"
                                                                     else (1, 4))
    if bcast != "-":
        assert len(flows) == 3 and flows[2].server == (bcast, 4003)
        assert flows[2].datagrams_to_server == [b"to all"]   # recorded once
    else:
        assert len(flows) == 2
    summary = tshark("-r", str(path))
    assert "Port unreachable" in summary


def test_close_with_unread_data_resets(net, run_as, probes):
    probe(net, run_as, probes, "reset", "127.0.0.10", "4004")
    path = net.capture_path
    assert problems(path) == ["Warns: TCP Connection reset (RST) (x1)"]
    (flow,) = net.capture().flows()
    assert flow.ended == "rst" and flow.packets[-1].flag_names == "RST,ACK"


def test_curl_and_nginx(net, run_as):
    server = start_nginx(net, run_as, nginx_conf(net, "listen 127.0.0.10:80;"))
    curl = require_tool("curl")
    outputs = []
    for _ in range(2):
        result = run(net, run_as, [curl, "-sS", "-i", "http://127.0.0.10/"], 23)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.encode())
    server.terminate()
    server.wait(timeout=10)
    path = net.capture_path
    assert problems(path) == []
    flows = net.capture().flows(port=80)
    assert len(flows) == 2
    for n, flow in enumerate(flows):
        up, down = follow(path, n)
        assert up.startswith(b"GET / HTTP/1.1\r\nHost: 127.0.0.10\r\n") and up.endswith(b"\r\n\r\n")
        assert down.replace(b"\r\n", b"\n") == outputs[n].replace(b"\r\n", b"\n")
        assert flow.data_to_client == down and flow.ended == "fin"
        assert flow.client[0] == "127.0.0.23"


def test_redis_cli_and_redis_server(net, run_as):
    redis = require_tool("redis-server")
    server = popen(net, run_as, [redis, "--bind", "127.0.0.11", "--port", "6379", "--save", "",
                                 "--appendonly", "no", "--protected-mode", "no",
                                 "--dir", str(net.dir)], 11)
    net.wait_listening("127.0.0.11", 6379)
    cli = require_tool("redis-cli")
    assert run(net, run_as, [cli, "-h", "127.0.0.11", "set", "k", "hello"], 24).stdout == "OK\n"
    assert run(net, run_as, [cli, "-h", "127.0.0.11", "get", "k"], 24).stdout == "hello\n"
    server.terminate()
    server.wait(timeout=10)
    path = net.capture_path
    assert problems(path) == []
    flows = net.capture().flows(port=6379)
    assert len(flows) >= 2
    sets = [f for f in flows if b"SET" in f.data_to_server.upper()]
    assert sets and sets[0].data_to_client == b"+OK\r\n"
    gets = [f for f in flows if b"\r\nget\r\n" in f.data_to_server.lower()]
    assert gets and gets[0].data_to_client == b"$5\r\nhello\r\n"
    for n in range(tcp_streams(path)):
        up, down = follow(path, n)
        assert (up, down) == (flows[n].data_to_server, flows[n].data_to_client)


def test_file_stays_valid_when_a_writer_is_killed(net, run_as, probes):
    env = {"SOCKET_WRAPPER_DEFAULT_IFACE": "20"}
    proc = net.popen([str(probes("pcap_probe")), "bulk", "127.0.0.10", "4005",
                      str(400 * 1024 * 1024)], env=env, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, **run_as.kwargs())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        path = net.capture_path
        if path.exists() and path.stat().st_size > 2_000_000:
            break
        time.sleep(0.01)
    # Stopped first, so the kill falls between two writes: a SIGKILL that
    # lands inside a multi-page write(2) can cut it short (a window of
    # microseconds, documented in docs/socket.md); this test is about
    # everything else being whole.
    os.killpg(proc.pid, signal.SIGSTOP)
    while Path(f"/proc/{proc.pid}/stat").read_text().split()[2] not in "TtZ":
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    # Another process appends after the killed one: the file still reads.
    probe(net, run_as, probes, "calls", "127.0.0.10", "4006")
    tshark("-r", str(net.capture_path), "-q", "-z", "io,stat,0")
    flows = net.capture().flows()
    assert flows[-1].data_to_server == CALLS_SENT


def test_cli_run_pcap_and_cwrap_pcap(run_as, cwrap_cli, probes, shared_tmp):
    cap = shared_tmp / "run.pcap"
    result = subprocess.run([*cwrap_cli, "run", "--socket", "--iface", "20", "--pcap", str(cap),
                             "--", str(probes("pcap_probe")), "calls", "127.0.0.10", "4007"],
                            capture_output=True, text=True, timeout=60, **run_as.kwargs(),
                            env=run_as.environ())
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
    assert problems(cap) == []
    listing = subprocess.run([*cwrap_cli, "pcap", str(cap)], capture_output=True, text=True,
                             check=True).stdout
    assert re.fullmatch(r"tcp 127\.0\.0\.20:\d+ -> 127\.0\.0\.10:4007  16 packets  "
                        r"127 bytes ->, 21 bytes <- fin\n", listing), listing


def test_unwritable_capture_is_logged_and_traffic_works(make_env, run_as, probes, shared_tmp):
    net = make_env(socket=True, nss=False, uid=False,
                   pcap=Path("/proc/cwrap-no-such-dir/x.pcap"))
    result = net.run([str(probes("pcap_probe")), "calls", "127.0.0.10", "4008"],
                     env={"SOCKET_WRAPPER_DEFAULT_IFACE": "20"}, capture_output=True, text=True,
                     timeout=60, **run_as.kwargs())
    assert result.returncode == 0 and result.stdout == "ok\n"
    lines = [x for x in result.stderr.splitlines() if "SOCKET_WRAPPER_PCAP_FILE" in x]
    assert len(lines) == 1 and "capture stopped" in lines[0]


@pytest.mark.parametrize("args", [["calls", "127.0.0.10", "4010"],
                                  ["calls", "fd00::5357:5f0a", "4011"],
                                  ["udp", "127.0.0.10", "4012", "127.255.255.255"],
                                  ["many", "127.0.0.10", "4013", "20"],
                                  ["reset", "127.0.0.10", "4014"]])
def test_capture_under_sanitizers(asan_shim, make_env, run_user, probes, args):  # noqa: F811
    lib, runtimes = asan_shim
    net = make_env(socket=True, nss=False, uid=False, pcap=True)
    variables = {**net.variables, "SOCKET_WRAPPER_DEFAULT_IFACE": "20",
                 "LD_PRELOAD": " ".join([*runtimes, str(lib)]),
                 "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
                 "UBSAN_OPTIONS": "halt_on_error=1:exitcode=98"}
    result = run_user([str(probes("pcap_probe")), *args], env=variables, timeout=120)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stdout + result.stderr[-3000:]
    assert "ERROR: AddressSanitizer" not in result.stderr
    assert "runtime error" not in result.stderr
    bad = problems(net.capture_path)
    assert bad == ([] if args[0] != "reset" else ["Warns: TCP Connection reset (RST) (x1)"])


def serve_and_talk(net, run_as, server: str | list[str], client_code: str) -> Path:
    """Runs a Python server (code or argv; on .10, printing "ready") and a
    client (on .25, printing "ok"); returns the capture, checked clean by
    tshark."""
    argv = server if isinstance(server, list) else ["/usr/bin/python3", "-c", server]
    server = popen(net, run_as, argv, 10)
    assert server.stdout.readline() == "ready\n"
    result = run(net, run_as, ["/usr/bin/python3", "-c", client_code], 25)
    assert result.stdout == "ok\n", result.stderr
    assert server.wait(timeout=30) == 0, server.stderr.read()
    assert problems(net.capture_path) == []
    return net.capture_path


def assert_one_fin_each(flow) -> None:
    flags = [p.flag_names for p in flow.packets]
    assert flow.ended == "fin" and sum("FIN" in f for f in flags) == 2
    assert not any("RST" in f for f in flags)


FORKING_SERVER = """
import os, socket, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.10", 7007))
srv.listen()
print("ready", flush=True)
for _ in range(3):
    conn, _ = srv.accept()
    if os.fork() == 0:           # the child serves; the parent lets go at once
        srv.close()
        data = b""
        while not data.endswith(b"\\n"):
            data += conn.recv(65536)
        conn.sendall(data.upper() * 1000)
        os._exit(0)              # no close, no destructor: the kernel ends it
    conn.close()
    os.wait()
"""

FORKING_CLIENT = """
import socket
for n in range(3):
    c = socket.create_connection(("127.0.0.10", 7007))
    c.sendall(b"hello %d\\n" % n)
    got = b""
    while chunk := c.recv(65536):
        got += chunk
    assert got == (b"HELLO %d\\n" % n) * 1000, len(got)
    c.close()
print("ok")
"""


def test_forking_server_is_one_clean_conversation(net, run_as):
    """A server that forks per connection and closes its copy at once, the
    child leaving with _exit(): every connection is one stream with both
    directions, and its end is recorded when the child's really ends it."""
    path = serve_and_talk(net, run_as, FORKING_SERVER, FORKING_CLIENT)
    flows = net.capture().flows(port=7007)
    assert len(flows) == 3
    for n, flow in enumerate(flows):
        assert follow(path, n) == (b"hello %d\n" % n, (b"HELLO %d\n" % n) * 1000)
        assert_one_fin_each(flow)


FSIZE_ZERO = """
import resource, signal, socket, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
assert resource.getrlimit(resource.RLIMIT_FSIZE) == (0, 0)
srv = socket.create_server(("127.0.0.10", 7010))
c = socket.create_connection(("127.0.0.10", 7010))
s, _ = srv.accept()
c.sendall(b"x" * 100000)
got = b""
while len(got) < 100000:
    got += s.recv(65536)
c.close(); s.close()
print("ok")
"""


def test_a_zero_file_size_limit_does_not_stop_the_capture(net, run_as):
    """sshd's pre-auth child sets RLIMIT_FSIZE to 0 before it talks: with
    capture on the limit is kept by the shim (and reported back), so the
    process is neither killed by SIGXFSZ nor missing from the capture."""
    result = run(net, run_as, ["/usr/bin/python3", "-c", FSIZE_ZERO], 10)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
    (flow,) = net.capture().flows(port=7010)
    assert flow.data_to_server == b"x" * 100000 and flow.ended == "fin"
    assert problems(net.capture_path) == []


SPAWNING_SERVER = """
import socket, subprocess
srv = socket.create_server(("127.0.0.10", 7020))
print("ready", flush=True)
conn, _ = srv.accept()
# cat serves the connection as its stdin and stdout, started the way
# subprocess does (vfork/exec, not fork); the parent lets go at once.
child = subprocess.Popen(["/bin/cat"], stdin=conn, stdout=conn)
conn.close()
child.wait()
"""

SPAWN_CLIENT = """
import socket
c = socket.create_connection(("127.0.0.10", 7020))
c.sendall(b"echo me\\n" * 5000)
c.shutdown(socket.SHUT_WR)
got = b""
while chunk := c.recv(65536):
    got += chunk
assert got == b"echo me\\n" * 5000, len(got)
c.close()
print("ok")
"""


def test_connection_handed_to_a_spawned_program(net, run_as):
    """A connection given to a program started with vfork/exec as its stdin
    and stdout (inetd style): the program only read()s and write()s it, and
    its side is in the capture; the parent's close is not the end."""
    path = serve_and_talk(net, run_as, SPAWNING_SERVER, SPAWN_CLIENT)
    (flow,) = net.capture().flows(port=7020)
    assert follow(path, 0) == (b"echo me\n" * 5000, b"echo me\n" * 5000)
    assert_one_fin_each(flow)


FSIZE_INHERITED = """
import resource, socket, threading
print(resource.getrlimit(resource.RLIMIT_FSIZE), flush=True)
srv = socket.create_server(("127.0.0.10", 7030))
c = socket.create_connection(("127.0.0.10", 7030))
s, _ = srv.accept()
sender = threading.Thread(target=c.sendall, args=(b"y" * 1000000,))
sender.start()
got = b""
while len(got) < 1000000:
    got += s.recv(65536)
sender.join()
c.close(); s.close()
print("ok", got == b"y" * 1000000)
"""


@pytest.mark.parametrize("soft", [50000, 200000])
def test_an_inherited_file_size_limit(net, run_as, soft):
    """A limit set before the program (`ulimit -f`, prlimit): the soft one is
    kept by the shim and reported back; at the hard one (200,000 bytes)
    the capture drops what would pass it, with one line, instead of
    getting the process killed by SIGXFSZ."""
    prlimit = require_tool("prlimit")
    # prlimit itself runs without the shim (which would keep the limit).
    preload = net.environ["LD_PRELOAD"]
    result = run(net, run_as, ["env", "-u", "LD_PRELOAD", prlimit, f"--fsize={soft}:200000",
                               "env", f"LD_PRELOAD={preload}", "/usr/bin/python3", "-c",
                               FSIZE_INHERITED], 10)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"({soft}, 200000)", "ok True"], result.stderr
    assert "File too large" in result.stderr and "lost" in result.stderr
    assert net.capture_path.stat().st_size <= 200000
    tshark("-r", str(net.capture_path))      # whole records only


WORKER = """
import socket, sys
path = sys.argv[1]
ctl = socket.socket(socket.AF_UNIX)
ctl.bind(path); ctl.listen()
print("ready", flush=True)
d, _ = ctl.accept()
for _ in range(3):
    _, fds, _, _ = socket.recv_fds(d, 16, 1)
    conn = socket.socket(fileno=fds[0])
    data = b""
    while not data.endswith(b"\\n"):
        data += conn.recv(100)
    conn.sendall(data.upper() * 1000)
    conn.close()
"""

DISPATCHER = """
import socket, sys
ctl = socket.socket(socket.AF_UNIX)
ctl.connect(sys.argv[1])
srv = socket.create_server(("127.0.0.10", 7040))
print("ready", flush=True)
for _ in range(3):
    conn, _ = srv.accept()
    socket.send_fds(ctl, [b"x"], [conn.fileno()])
    conn.close()               # at once: the worker has it now
"""


def test_connection_passed_with_scm_rights(net, run_as):
    """A dispatcher passes each connection to a worker (not its child) with
    SCM_RIGHTS and closes its copy at once: the connection goes on in the
    worker, one clean stream whose end is the worker's close."""
    ctl = net.dir / "dispatch.sock"
    worker = popen(net, run_as, ["/usr/bin/python3", "-c", WORKER, str(ctl)], 11)
    assert worker.stdout.readline() == "ready\n"
    client = FORKING_CLIENT.replace("7007", "7040")
    dispatcher = ["/usr/bin/python3", "-c", DISPATCHER, str(ctl)]
    path = serve_and_talk(net, run_as, dispatcher, client)
    assert worker.wait(timeout=30) == 0, worker.stderr.read()
    flows = net.capture().flows(port=7040)
    assert len(flows) == 3
    for n, flow in enumerate(flows):
        assert follow(path, n) == (b"hello %d\n" % n, (b"HELLO %d\n" % n) * 1000)
        assert_one_fin_each(flow)
