"""Socket files: upstream's names, EADDRINUSE for live owners, stale files
of dead processes reclaimed, and interoperation with Debian's
libsocket_wrapper in one directory."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

import cwrap
from cwrap.socket import Endpoint, ipv4_of, ipv6_of, iface_of
from conftest import user_environ

UPSTREAM = Path("/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so")

SERVER = """
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
kind = socket.SOCK_DGRAM if sys.argv[3] == "udp" else socket.SOCK_STREAM
s = socket.socket(fam, kind)
s.bind((sys.argv[1], int(sys.argv[2])))
if kind == socket.SOCK_STREAM:
    s.listen()
    print("ready", flush=True)
    c, peer = s.accept()
    data = c.recv(100)
    c.sendall(data.upper() + b" from " + peer[0].encode())
else:
    print("ready", flush=True)
    data, peer = s.recvfrom(100)
    s.sendto(data.upper() + b" from " + peer[0].encode(), peer)
"""

CLIENT = """
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
kind = socket.SOCK_DGRAM if sys.argv[3] == "udp" else socket.SOCK_STREAM
s = socket.socket(fam, kind)
s.settimeout(10)
s.connect((sys.argv[1], int(sys.argv[2])))
s.send(b"hello")
print(s.recv(100).decode())
"""


def test_python_address_model():
    assert Endpoint.parse("127.0.0.10", 7).filename == "T0A0007"
    assert Endpoint.parse("127.0.0.20", 5001, "udp").filename == "U141389"
    assert Endpoint.parse("fd00::5357:5f14", 8080).filename == "X141F90"
    assert Endpoint.from_filename("Y0A0035") == Endpoint(10, 53, "udp", 6)
    assert ipv4_of(10) == "127.0.0.10" and ipv4_of(3, "10.53.57.0") == "10.53.57.3"
    assert ipv6_of(10) == "fd00::5357:5f0a" and iface_of("fd00::5357:5f40") == 64
    with pytest.raises(cwrap.ConfigError):
        iface_of("127.0.0.65")


def start(run_as, env_vars, code, *args):
    proc = subprocess.Popen(["/usr/bin/python3", "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=user_environ(run_as, **env_vars),
                            **run_as.kwargs())
    assert proc.stdout.readline() == "ready\n", proc.stderr.read()
    return proc


def shim_vars(env, lib, iface):
    return {**env.variables, "LD_PRELOAD": str(lib), "SOCKET_WRAPPER_DEFAULT_IFACE": str(iface)}


@pytest.mark.parametrize("proto", ["tcp", "udp"])
@pytest.mark.parametrize("server_lib,client_lib", [("ours", "upstream"), ("upstream", "ours")])
def test_interoperates_with_upstream(run_as, run_user, make_env, proto, server_lib, client_lib):
    assert UPSTREAM.exists(), "install libsocket-wrapper (scripts/test-packages.txt)"
    libs = {"ours": cwrap.lib_path("socket"), "upstream": UPSTREAM}
    env = make_env(socket=True, nss=False, uid=False)
    server = start(run_as, shim_vars(env, libs[server_lib], 10), SERVER, "127.0.0.10", "7", proto)
    letter = "T" if proto == "tcp" else "U"
    assert (env.socket_dir / f"{letter}0A0007").exists()
    result = run_user(["/usr/bin/python3", "-c", CLIENT, "127.0.0.10", "7", proto],
                      env=shim_vars(env, libs[client_lib], 21))
    assert result.stdout == "HELLO from 127.0.0.21\n", result.stderr
    server.wait(timeout=10)


def test_live_owner_keeps_its_address(run_as, run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    server = start(run_as, shim_vars(env, cwrap.lib_path("socket"), 10), SERVER, "127.0.0.10", "80", "tcp")
    code = ("import socket\ns = socket.socket()\ntry:\n s.bind(('127.0.0.10', 80))\n"
            "except OSError as e:\n print(e.errno)")
    result = run_user(["/usr/bin/python3", "-c", code], env=shim_vars(env, cwrap.lib_path("socket"), 10))
    assert result.stdout == "98\n"          # EADDRINUSE
    result = run_user(["/usr/bin/python3", "-c", CLIENT, "127.0.0.10", "80", "tcp"],
                      env=shim_vars(env, cwrap.lib_path("socket"), 11))
    assert result.stdout == "HELLO from 127.0.0.11\n"
    server.wait(timeout=10)


def test_stale_file_of_a_killed_process_is_reclaimed(run_as, run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    variables = shim_vars(env, cwrap.lib_path("socket"), 10)
    server = start(run_as, variables, SERVER, "127.0.0.10", "80", "tcp")
    server.send_signal(signal.SIGKILL)
    server.wait()
    assert (env.socket_dir / "T0A0050").exists()      # left behind
    server = start(run_as, variables, SERVER, "127.0.0.10", "80", "tcp")
    result = run_user(["/usr/bin/python3", "-c", CLIENT, "127.0.0.10", "80", "tcp"],
                      env=shim_vars(env, cwrap.lib_path("socket"), 12))
    assert result.stdout == "HELLO from 127.0.0.12\n"
    server.wait(timeout=10)


def test_wait_listening_without_sleeping(run_as, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    code = ("import socket, time; time.sleep(0.3); s = socket.socket(); "
            "s.bind(('127.0.0.10', 80)); s.listen(); print('ready', flush=True); time.sleep(30)")
    proc = env.popen(["/usr/bin/python3", "-c", code], env={"SOCKET_WRAPPER_DEFAULT_IFACE": "10"},
                     stdout=subprocess.PIPE, text=True, **run_as.kwargs())
    begin = time.monotonic()
    env.wait_listening("127.0.0.10", 80, timeout=10)
    assert 0.25 < time.monotonic() - begin < 5
    with pytest.raises(TimeoutError, match="nothing listens on 127.0.0.11:80"):
        env.wait_listening("127.0.0.11", 80, timeout=0.2)
    proc.kill()
