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
from pcaptools import follow, problems, tcp_streams
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


def ssh_login(env, run_as, privsep_dir, ssh_opts=()):
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
                      "-o", "LogLevel=ERROR", *ssh_opts, "alice@server.corp.test",
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


def test_ssh_login_is_captured_on_both_sides(make_env, run_as, privsep_dir):
    """sshd hands the connection from its listener to a re-executed copy of
    itself and on to privilege-separated children (one of them under a
    seccomp filter): the capture still shows one clean stream with both
    directions, ended once, because every process holding the connection
    shares its capture state."""
    env = make_env(domain="corp.test", pcap=True)
    # A key exchange tshark's SSH dissector knows (it misreads the
    # post-quantum hybrid's key lengths, in real captures too).
    result, daemon, server, client, _ = ssh_login(
        env, run_as, privsep_dir, ("-o", "KexAlgorithms=curve25519-sha256"))
    assert result.returncode == 0, result.stderr + daemon.output()
    assert result.stdout.splitlines()[0] == "alice"
    daemon.stop()
    path = env.capture_path
    # Stream 0 is ssh's refused IPv6 attempt (SYN, RST); stream 1 the login.
    # (The SSH dissector does not decode an ed25519 signature whole.)
    assert tcp_streams(path) == 2
    assert [p for p in problems(path) if "SSH Decoded" not in p] == [
        "Warns: TCP Connection reset (RST) (x1)"]
    refused = [f for f in env.capture().flows(port=22) if not f.data_to_server]
    assert len(refused) == 1 and refused[0].ended == "refused"
    up, down = follow(path, 1)
    assert up.startswith(b"SSH-2.0-OpenSSH")
    assert down.startswith(b"SSH-2.0-OpenSSH")
    flow = [f for f in env.capture().flows(port=22) if f.data_to_server][0]
    assert (flow.data_to_server, flow.data_to_client) == (up, down)
    assert flow.ended == "fin"
    fins = [p for p in flow.packets if "FIN" in p.flag_names]
    assert len(fins) == 2 and not [p for p in flow.packets if "RST" in p.flag_names]
