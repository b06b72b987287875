"""Fake hosts: each process started on a host is that host (address and
host name) and finds every other host by name."""

from __future__ import annotations

import textwrap

import pytest

import cwrap

WHO = textwrap.dedent("""\
    import socket, sys
    print(socket.gethostname())
    print(socket.gethostbyname(sys.argv[1]))
    c = socket.create_connection((sys.argv[1], 80), timeout=10)
    c.sendall(b"hi")
    print(c.recv(100).decode())
    """)

ECHO_PEER = textwrap.dedent("""\
    import socket
    s = socket.socket(); s.bind(("0.0.0.0", 80)); s.listen()
    while True:
        c, peer = s.accept()
        c.recv(10)
        c.sendall(f"{socket.gethostname()} saw {peer[0]}".encode())
        c.close()
    """)


def test_hosts_have_addresses_names_and_find_each_other(make_env, run_as):
    env = make_env(domain="lab.test")
    web, client = env.host("web"), env.host("client")
    assert (web.iface, web.ipv4, web.ipv6, web.fqdn) == (10, "127.0.0.10", "fd00::5357:5f0a",
                                                         "web.lab.test")
    assert client.ipv4 == "127.0.0.11" and env.host("web") is web
    env.spawn(["/usr/bin/python3", "-c", ECHO_PEER], host="web", ready=80, **run_as.kwargs())
    for target in ("web", "web.lab.test"):
        out = env.run(["/usr/bin/python3", "-c", WHO, target], host=client,
                      capture_output=True, text=True, **run_as.kwargs())
        assert out.stdout.splitlines() == ["client.lab.test", "127.0.0.10",
                                           "web.lab.test saw 127.0.0.11"], out.stderr
    hosts_file = (env.dir / "hosts").read_text()
    assert "127.0.0.10 web.lab.test web" in hosts_file.replace("\t", " ")


def test_host_errors():
    env = cwrap.Environment(nss=False, uid=False)
    env.host("a", iface=12)
    with pytest.raises(cwrap.ConfigError, match="interface 12 is taken"):
        env.host("b", iface=12)
    with pytest.raises(cwrap.ConfigError, match="not valid"):
        env.host("bad_name")
    with pytest.raises(cwrap.ConfigError, match="no host named 'zz'"):
        env.start()
        try:
            env.run(["true"], host="zz")
        finally:
            env.close()
