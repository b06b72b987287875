"""sshd with its privilege separation and default re-exec, under the
socket, NSS and UID shims together, as a normal user: a fake root sshd on
127.0.0.21:22, a made-up user logging in by a made-up host name."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import require_tool
from pcaptools import follow, tcp_streams
from cwrap.programs import sshd_setenv_line

PRIVSEP_DIR = Path("/run/sshd")


@pytest.fixture
def privsep_dir():
    """sshd insists on its (root-owned, empty) privilege separation
    directory; Debian's package creates it only when the service starts."""
    if not PRIVSEP_DIR.is_dir():
        if os.geteuid() != 0:
            pytest.fail(f"{PRIVSEP_DIR} is missing: create it as root (mkdir -m 755 {PRIVSEP_DIR})")
        PRIVSEP_DIR.mkdir(mode=0o755)
    return PRIVSEP_DIR


def keygen(path: Path, run_as, comment: str) -> None:
    subprocess.run([require_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", comment,
                    "-f", str(path)], check=True, **run_as.kwargs())


def ssh_login(env, run_as, privsep_dir):
    """sshd (fake root) on server.corp.test:22 and alice logging in from the
    client host; returns (ssh's result, sshd's service, hosts, config)."""
    sshd, ssh = require_tool("sshd"), require_tool("ssh")
    server = env.host("server", iface=21)
    client = env.host("client")
    env.add_user("sshd", 105, 65534, home=str(privsep_dir), shell="/usr/sbin/nologin")
    env.add_user("alice", 1500, 1500, home=str(env.dir / "home" / "alice"), shell="/bin/sh")
    env.add_group("staff", 1600, ["alice"])
    d = env.dir
    keygen(d / "host_key", run_as, "host")
    keygen(d / "alice_key", run_as, "alice")
    keys = d / "authorized"
    keys.mkdir()
    (keys / "alice").write_text((d / "alice_key.pub").read_text())
    (d / "home" / "alice").mkdir(parents=True)
    run_as.give(d)
    config = d / "sshd_config"
    config.write_text(textwrap.dedent(f"""\
        Port 22
        ListenAddress {server.ipv4}
        HostKey {d}/host_key
        PidFile {d}/sshd.pid
        UsePAM no
        StrictModes no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        AuthorizedKeysFile {keys}/%u
        PermitRootLogin no
        """) + sshd_setenv_line(env, server))
    daemon = env.spawn([sshd, "-D", "-e", "-f", str(config)], name="sshd", host=server,
                       env={"UID_WRAPPER_ROOT": "1"}, ready=22, **run_as.kwargs())
    result = env.run([ssh, "-i", str(d / "alice_key"), "-o", "StrictHostKeyChecking=no",
                      "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                      "-o", "LogLevel=ERROR", "alice@server.corp.test",
                      "id -un; id -G; hostname; echo $SSH_CONNECTION"],
                     host=client, capture_output=True, text=True, timeout=60,
                     **run_as.kwargs())
    return result, daemon, server, client, config


def test_sshd_privsep_reexec_and_login(make_env, run_as, privsep_dir):
    env = make_env(domain="corp.test")
    result, daemon, server, client, config = ssh_login(env, run_as, privsep_dir)
    sshd = require_tool("sshd")
    log = daemon.output()
    assert result.returncode == 0, result.stderr + "\n--- sshd:\n" + log
    lines = result.stdout.splitlines()
    assert lines[0] == "alice"
    assert lines[1].split() == ["1500", "1600"]
    assert lines[2] == "server.corp.test"
    assert lines[3].split()[0] == client.ipv4 and lines[3].split()[2:] == [server.ipv4, "22"]
    assert "Accepted publickey for alice from 127.0.0." in log
    # Without the shims the same daemon cannot even start as this user.
    plain = subprocess.run([sshd, "-D", "-e", "-f", str(config)], capture_output=True,
                           text=True, timeout=20, env={"PATH": "/usr/bin:/bin"}, **run_as.kwargs())
    assert plain.returncode != 0


def test_ssh_login_works_with_capture_on(make_env, run_as, privsep_dir):
    """With capture on, sshd's seccomp-sandboxed pre-auth child still works:
    the shim keeps to write(2) there.  (The server's side of the stream is
    not in the capture yet: sshd re-execs and hands the connection between
    processes, and capture state does not cross processes — docs/socket.md.)"""
    env = make_env(domain="corp.test", pcap=True)
    result, daemon, server, client, _ = ssh_login(env, run_as, privsep_dir)
    assert result.returncode == 0, result.stderr + daemon.output()
    assert result.stdout.splitlines()[0] == "alice"
    daemon.stop()
    # Stream 0 is ssh's refused IPv6 attempt (SYN, RST); stream 1 the login.
    assert tcp_streams(env.capture_path) == 2
    up, _ = follow(env.capture_path, 1)
    assert up.startswith(b"SSH-2.0-OpenSSH")          # the client's side is there
