"""A misconfigured socket shim fails closed: one clear message naming the
variable, an errno on the call, never the real network, never an abort."""

from __future__ import annotations

import socket
import sys

import pytest

import cwrap

PROBE = """
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    print("connected")
except OSError as e:
    print("errno", e.errno)
"""


@pytest.fixture
def real_server():
    """A real listener on 127.0.0.1 that a leaking shim would reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("variables,message", [
    ({"SOCKET_WRAPPER_DIR": "/nonexistent/cwrap"},
     'SOCKET_WRAPPER_DIR="/nonexistent/cwrap": No such file or directory'),
    ({"SOCKET_WRAPPER_DIR": "/tmp/" + "x" * 120},
     'SOCKET_WRAPPER_DIR="/tmp/' + "x" * 120 + '": No such file or directory'),
    ({"SOCKET_WRAPPER_DIR": "{dir}", "SOCKET_WRAPPER_DEFAULT_IFACE": "65"},
     'SOCKET_WRAPPER_DEFAULT_IFACE="65" is not valid: expected a whole number from 1 to 64'),
    ({"SOCKET_WRAPPER_DIR": "{dir}", "SOCKET_WRAPPER_IPV4_NETWORK": "192.168.0.0"},
     'SOCKET_WRAPPER_IPV4_NETWORK="192.168.0.0" is not valid: expected 127.0.0.0 or 10.53.57.0'),
    ({"SOCKET_WRAPPER_DIR": "{dir}", "SOCKET_WRAPPER_MTU": "100"},
     'SOCKET_WRAPPER_MTU="100" is not valid: expected a whole number from 512 to 32768'),
    ({"SOCKET_WRAPPER_DIR": "{dir}", "SOCKET_WRAPPER_MAX_SOCKETS": "lots"},
     'SOCKET_WRAPPER_MAX_SOCKETS="lots" is not valid'),
])
def test_bad_configuration_fails_closed(run_user, shared_tmp, real_server, variables, message):
    variables = {k: v.format(dir=shared_tmp) for k, v in variables.items()}
    result = run_user(["/usr/bin/python3", "-c", PROBE, str(real_server)],
                      env={**variables, "LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert result.returncode == 1            # socket() raised: no network at all
    assert "PermissionError" in result.stderr and "Errno 13" in result.stderr
    assert message in result.stderr
    assert "connected" not in result.stdout


def test_too_long_dir_is_named_with_the_limit(run_user, shared_tmp, real_server):
    deep = shared_tmp / ("d" * 100)
    deep.mkdir()
    result = run_user(["/usr/bin/python3", "-c", PROBE, str(real_server)],
                      env={"SOCKET_WRAPPER_DIR": str(deep),
                           "LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert "is too long: a socket path must fit in 108 bytes, so the directory may have " \
           "at most 99" in result.stderr
    assert "connected" not in result.stdout


def test_long_dir_with_allow_orig(run_as, run_user, shared_tmp):
    """SOCKET_WRAPPER_DIR_ALLOW_ORIG: a short spelling (a symlink) of a long
    real path is used as written."""
    deep = shared_tmp / ("d" * 100)
    deep.mkdir()
    link = shared_tmp / "l"
    link.symlink_to(deep)
    run_as.give(shared_tmp)
    code = ("import os, socket; s = socket.socket(); s.bind(('127.0.0.10', 80)); s.listen();"
            f"print('bound', os.listdir({str(deep)!r}))")
    result = run_user(["/usr/bin/python3", "-c", code],
                      env={"SOCKET_WRAPPER_DIR": str(link), "SOCKET_WRAPPER_DIR_ALLOW_ORIG": "1",
                           "LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert result.stdout == "bound ['T0A0050']\n", result.stderr


def test_unset_dir_passes_through(run_user, real_server):
    result = run_user(["/usr/bin/python3", "-c", PROBE, str(real_server)],
                      env={"LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert result.stdout == "connected\n" and result.stderr == ""


def test_addresses_outside_the_fake_network(run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    code = """
import errno, socket
def attempt(addr):
    s = socket.socket()
    try:
        s.connect(addr); return "connected"
    except OSError as e:
        return errno.errorcode[e.errno]
print(attempt(("192.0.2.1", 80)), attempt(("127.0.0.100", 80)), attempt(("127.0.0.10", 80)))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(u.sendto(b"x", ("127.0.0.77", 9)))
"""
    result = run_user([sys.executable, "-c", code], env=env.variables |
                      {"LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert result.stdout.split() == ["ENETUNREACH", "ECONNREFUSED", "ECONNREFUSED", "1"], \
        result.stderr
