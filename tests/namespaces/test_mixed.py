"""One environment, both backends (backend="auto"): programs LD_PRELOAD
cannot reach run in the namespaces, the others under the shims, and the
holder's bridge joins their TCP worlds on the same fake hosts."""

from __future__ import annotations

import textwrap

from conftest import require_tool
from namespaces.helpers import CURL, run_plain

PY_SERVER = textwrap.dedent("""\
    import socket
    s = socket.socket(); s.bind(("0.0.0.0", 6379)); s.listen()
    while True:
        c, peer = s.accept()
        c.sendall(f"py {socket.gethostname()} saw {peer[0]}\\n".encode())
        c.close()
    """)


def test_preload_client_reaches_namespace_static_server(make_env, run_as, static_server):
    curl = require_tool("curl")
    env = make_env(backend="auto")
    web, client = env.host("web"), env.host("client")
    assert env.backend_for(static_server) == "namespaces"
    assert env.backend_for(curl) == "preload"
    env.spawn([str(static_server), web.ipv4, "80"], host=web, ready=80, **run_as.kwargs())
    out = env.run(CURL + ["http://web/"], host=client, capture_output=True, text=True,
                  **run_as.kwargs())
    # curl went through the socket shim (an AF_UNIX file), the bridge and
    # the namespace's kernel; the server sees the client's fake address.
    assert out.stdout == "static server web.cwrap.test saw 127.0.0.11\n", out.stderr
    assert (env.socket_dir / "T0A0050").exists()


def test_namespace_go_client_reaches_preload_server(make_env, run_as, gofake):
    env = make_env(backend="auto")
    cache, api = env.host("cache"), env.host("api")
    env.spawn(["/usr/bin/python3", "-c", PY_SERVER], host=cache, ready=6379,
              **run_as.kwargs())
    out = env.run([str(gofake), "get", "cache.cwrap.test:6379"], host=api,
                  capture_output=True, text=True, **run_as.kwargs())
    # The Go client binds nothing: the kernel's source for a local
    # destination is that address, which the bridge passes on.
    assert out.stdout == f"py cache.cwrap.test saw {cache.ipv4}\n", out.stderr


def test_mixed_fails_without_cwrap(run_as, static_server):
    require_tool("curl")
    assert run_plain(run_as, CURL + ["http://web.cwrap.test/"]).returncode != 0
    assert run_plain(run_as, [str(static_server), "127.0.0.10", "80", "1"]).returncode == 1
