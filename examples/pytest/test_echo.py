"""The tutorial's test (docs/tutorial.md): a client/server pair on two
fake hosts, found by made-up names, on the privileged port 7."""

import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).with_name("echo_server.py")
CLIENT = """
import socket, sys
with socket.create_connection(("echo.lab.test", 7), timeout=10) as s:
    s.sendall(sys.argv[1].encode())
    print(s.recv(1000).decode())
"""


@pytest.mark.cwrap(domain="lab.test", pcap=True)
def test_echo_between_fake_hosts(cwrap_env):
    echo = cwrap_env.host("echo")
    laptop = cwrap_env.host("laptop")
    cwrap_env.spawn([sys.executable, str(SERVER), "7"], name="echo", host=echo, ready=7)
    result = cwrap_env.run([sys.executable, "-c", CLIENT, "hello"], host=laptop,
                           capture_output=True, text=True, check=True)
    assert result.stdout == f"echo.lab.test echoes hello to {laptop.ipv4}\n"
    # The capture: the conversation as tshark would show it (the client
    # tried the IPv6 address first and was refused, then used IPv4).
    flows = cwrap_env.capture().flows("tcp", port=7)
    assert flows[-1].client[0] == laptop.ipv4 and flows[-1].server == (echo.ipv4, 7)
