"""Differential tests: the same probe runs on real loopback sockets (no
shim) and on fake hosts under the shim; every return value, errno,
address and byte count must be the same."""

from __future__ import annotations

import difflib
import subprocess

import pytest

import cwrap

# Lines that must be in both transcripts: proof the scenarios really ran.
MUST_SEE = [
    "refused.blocking: -1 ECONNREFUSED",
    "refused.nonblocking: -1 EINPROGRESS",
    "refused.so_error: ECONNREFUSED",
    "inuse.bind: -1 EADDRINUSE",
    "inuse.owner_still_works: 0",
    "bulk.send: 1048576",
    "closed.first_write: 3",
    "closed.second_write: -1 EPIPE",
    "sigpipe.child: signal 13",
    "udpconn.send2: -1 ECONNREFUSED",
    "udp.to_nowhere: 1",
    "flags.waitall: 6",
    "half.client_recv: 4",
    "socket.dgram_tcp: -1 EPROTONOSUPPORT",
    "epollfirst.so_error: ECONNREFUSED",
    "mmsg.recv: 3",
    "mmsg.got2: three",
    "sendfile.data: from a file",
    "splice.data: through a pipe",
    "fortify.recv: 4",
]

FORTIFIED = ("__read_chk", "__recv_chk", "__recvfrom_chk")

CASES = {
    "ipv4": (("127.0.0.1", "127.0.0.2"), ("127.0.0.10", "127.0.0.20"), "v4"),
    "ipv6": (("::1", "::1"), ("fd00::5357:5f0a", "fd00::5357:5f14"), "v6"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_probe_transcripts_match_the_kernel(case, probes, run_user, make_env, worker_port):
    (real_server, real_client), (fake_server, fake_client), mode = CASES[case]
    probe = str(probes("socket_probe", "-O2", "-D_FORTIFY_SOURCE=2"))
    symbols = subprocess.run(["nm", "-D", probe], capture_output=True, text=True).stdout
    assert all(name in symbols for name in FORTIFIED)     # the checked entry points run
    port = worker_port(40000 if case == "ipv4" else 40100)
    real = run_user([probe, real_server, real_client, str(port), mode])
    env = make_env(socket=cwrap.SocketConfig(default_iface=20), nss=False, uid=False)
    fake = run_user([probe, fake_server, fake_client, str(port), mode], env=env.variables |
                    {"LD_PRELOAD": str(cwrap.lib_path("socket"))})
    assert real.returncode == 0 and fake.returncode == 0, real.stderr + fake.stderr
    diff = "\n".join(difflib.unified_diff(real.stdout.splitlines(), fake.stdout.splitlines(),
                                          "kernel", "shim", lineterm=""))
    assert real.stdout == fake.stdout, diff
    assert fake.stderr == ""
    lines = set(real.stdout.splitlines())
    missing = [line for line in MUST_SEE if line not in lines and not
               (case == "ipv6" and line.startswith("bcast"))]
    assert not missing, missing
    assert len(lines) > 400
