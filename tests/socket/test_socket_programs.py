"""Real programs on the fake network, as an unprivileged user: each test
also shows the same is impossible without the shim."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import cwrap
from cwrap.programs import nginx_config
from conftest import require_tool, user_environ


@pytest.fixture
def net(make_env):
    return make_env(socket=True, nss=False, uid=False)


def on_host(iface: int) -> dict[str, str]:
    return {"SOCKET_WRAPPER_DEFAULT_IFACE": str(iface)}


def popen(net, run_as, argv, iface, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return net.popen(argv, env=on_host(iface), text=True, **run_as.kwargs(), **kw)


def run(net, run_as, argv, iface, **kw):
    return net.run(argv, env=on_host(iface), capture_output=True, text=True, timeout=60,
                   **run_as.kwargs(), **kw)


def test_privileged_fake_address_needs_the_shim(run_user):
    code = "import socket; socket.socket().bind(('127.0.0.10', 80)); print('bound')"
    result = run_user(["/usr/bin/python3", "-c", code])
    assert "PermissionError" in result.stderr and result.stdout == ""


def test_nc_server_and_client(net, run_as, run_user):
    nc = require_tool("nc")
    server = popen(net, run_as, [nc, "-l", "127.0.0.10", "7"], 10)
    net.wait_listening("127.0.0.10", 7)
    client = run(net, run_as, [nc, "-N", "127.0.0.10", "7"], 21, input="hello over nc\n")
    assert client.returncode == 0, client.stderr
    out, err = server.communicate(timeout=10)
    assert out == "hello over nc\n", err
    # Without the shim: nc cannot listen on a privileged port.
    plain = run_user([nc, "-l", "127.0.0.10", "7"], timeout=5)
    assert plain.returncode != 0 and "Permission denied" in plain.stderr


def test_python_http_server_and_urllib(net, run_as, shared_tmp):
    (shared_tmp / "hello.txt").write_text("hello from the fake host\n")
    server = popen(net, run_as, ["/usr/bin/python3", "-m", "http.server", "--bind",
                                 "127.0.0.10", "80"], 10, cwd=shared_tmp)
    net.wait_listening("127.0.0.10", 80)
    code = ("import urllib.request; r = urllib.request.urlopen('http://127.0.0.10/hello.txt');"
            "print(r.status, r.read().decode(), end='')")
    result = run(net, run_as, [sys.executable, "-c", code], 22)
    assert result.stdout == "200 hello from the fake host\n", result.stderr
    server.terminate()
    _, log = server.communicate(timeout=10)
    assert '127.0.0.22 - - ' in log and '"GET /hello.txt HTTP/1.1" 200' in log


def nginx_conf(net, port_line: str, extra: str = "") -> Path:
    """An nginx configuration for an unprivileged user, serving one page."""
    d = net.dir
    (d / "www").mkdir(exist_ok=True)
    (d / "www" / "index.html").write_text("nginx on a fake host\n")
    conf = d / "nginx.conf"
    conf.write_text(nginx_config(net, f"{port_line} root {d}/www; {extra}"))
    return conf


def start_nginx(net, run_as, conf):
    nginx = require_tool("nginx")
    proc = popen(net, run_as, [nginx, "-e", "stderr", "-p", str(net.dir), "-c", str(conf)], 10)
    net.wait_listening("127.0.0.10", 80)
    return proc


def test_nginx_and_curl(net, run_as, run_user):
    conf = nginx_conf(net, "listen 127.0.0.10:80;")
    server = start_nginx(net, run_as, conf)
    curl = require_tool("curl")
    result = run(net, run_as, [curl, "-sS", "-i", "http://127.0.0.10/"], 23)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("HTTP/1.1 200 OK")
    assert result.stdout.endswith("nginx on a fake host\n")
    server.terminate()
    server.wait(timeout=10)
    assert "127.0.0.23 - - [" in (net.dir / "access.log").read_text()
    plain = run_user([require_tool("nginx"), "-e", "stderr", "-p", str(net.dir), "-c", str(conf)],
                     timeout=10)
    assert plain.returncode != 0 and "Permission denied" in plain.stderr


def test_wrk_against_nginx_without_errors(net, run_as):
    server = start_nginx(net, run_as, nginx_conf(net, "listen 127.0.0.10:80;"))
    result = run(net, run_as, [require_tool("wrk"), "-t2", "-c20", "-d2s", "http://127.0.0.10/"], 24)
    server.terminate()
    server.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert "Socket errors" not in result.stdout and "Non-2xx" not in result.stdout
    requests = int(re.search(r"(\d+) requests in", result.stdout).group(1))
    assert requests > 500, result.stdout


def test_asyncio_echo_with_many_clients(net, run_as):
    server_code = textwrap.dedent("""\
        import asyncio
        async def echo(r, w):
            while data := await r.read(65536):
                w.write(data); await w.drain()
            w.close()
        async def main():
            s = await asyncio.start_server(echo, "127.0.0.10", 7)
            async with s: await s.serve_forever()
        asyncio.run(main())
        """)
    client_code = textwrap.dedent("""\
        import asyncio, os
        async def one(i):
            r, w = await asyncio.open_connection("127.0.0.10", 7)
            payload = os.urandom(20000 + i)
            w.write(payload); await w.drain(); w.write_eof()
            back = await r.read()
            w.close()
            return back == payload
        async def main():
            results = await asyncio.gather(*(one(i) for i in range(100)))
            print(sum(results))
        asyncio.run(main())
        """)
    server = popen(net, run_as, ["/usr/bin/python3", "-c", server_code], 10)
    net.wait_listening("127.0.0.10", 7)
    result = run(net, run_as, ["/usr/bin/python3", "-c", client_code], 25)
    server.kill()
    assert result.stdout == "100\n", result.stderr


UDP_ECHO = textwrap.dedent("""\
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], int(sys.argv[2])))
    while True:
        data, peer = s.recvfrom(2000)
        s.sendto(data.upper(), peer)
    """)


def test_socat_tcp_and_udp_relays(net, run_as):
    socat = require_tool("socat")
    backend = popen(net, run_as, ["/usr/bin/python3", "-m", "http.server", "--bind",
                                  "127.0.0.11", "8080"], 11, cwd=net.dir)
    echo = popen(net, run_as, ["/usr/bin/python3", "-c", UDP_ECHO, "127.0.0.11", "53"], 11)
    tcp_relay = popen(net, run_as, [socat, "TCP-LISTEN:80,bind=127.0.0.10,fork,reuseaddr",
                                    "TCP:127.0.0.11:8080"], 10)
    udp_relay = popen(net, run_as, [socat, "-T", "5", "UDP-RECVFROM:53,bind=127.0.0.10,fork",
                                    "UDP-SENDTO:127.0.0.11:53"], 10)
    net.wait_listening("127.0.0.11", 8080)
    net.wait_listening("127.0.0.10", 80)
    net.wait_listening("127.0.0.10", 53, proto="udp")
    net.wait_listening("127.0.0.11", 53, proto="udp")
    result = run(net, run_as, [require_tool("curl"), "-sS", "-o", "/dev/null", "-w",
                               "%{http_code}", "http://127.0.0.10/"], 26)
    assert result.stdout == "200", result.stderr
    code = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10);"
            "s.sendto(b'query', ('127.0.0.10', 53)); data, peer = s.recvfrom(100);"
            "print(data.decode(), peer[0])")
    result = run(net, run_as, ["/usr/bin/python3", "-c", code], 27)
    assert result.stdout == "QUERY 127.0.0.10\n", result.stderr
    for proc in (backend, echo, tcp_relay, udp_relay):
        proc.kill()


def redis_cli(net, run_as, host, *args):
    return run(net, run_as, [require_tool("redis-cli"), "-h", host, "-p", "6379", *args], 30)


def wait_or_explain(net, host, port, *servers):
    """wait_listening, and on a timeout the servers' own words."""
    try:
        net.wait_listening(host, port)
    except TimeoutError as e:
        said = []
        for server in servers:
            server.terminate()
            out, err = server.communicate(timeout=10)
            said.append(f"exit {server.returncode}:\n{out}\n{err}")
        raise AssertionError(f"{e}\n" + "\n---\n".join(said)) from e


def test_redis_replica_on_another_fake_host(net, run_as):
    redis = require_tool("redis-server")
    # Protected mode admits only 127.0.0.1 and ::1, as on a real network.
    common = ["--port", "6379", "--save", "", "--appendonly", "no", "--dir", str(net.dir),
              "--protected-mode", "no"]
    primary = popen(net, run_as, [redis, "--bind", "127.0.0.11", *common], 11)
    replica = popen(net, run_as, [redis, "--bind", "127.0.0.12", *common,
                                  "--replicaof", "127.0.0.11", "6379"], 12)
    for host in ("127.0.0.11", "127.0.0.12"):
        wait_or_explain(net, host, 6379, primary, replica)
    assert redis_cli(net, run_as, "127.0.0.11", "set", "greeting", "hello").stdout == "OK\n"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = redis_cli(net, run_as, "127.0.0.12", "get", "greeting").stdout
        if got == "hello\n":
            break
        time.sleep(0.1)
    assert got == "hello\n"
    # The primary sees its replica coming from the replica's fake host.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = redis_cli(net, run_as, "127.0.0.11", "info", "replication").stdout
        if "state=online" in info:
            break
        time.sleep(0.1)
    assert "slave0:ip=127.0.0.12,port=6379,state=online" in info, info
    for proc in (primary, replica):
        proc.kill()
