"""A statically linked C server (out of LD_PRELOAD's reach) on the fake
host web, 127.0.0.10:80, reached by curl by its made-up name — all as an
unprivileged user, through the namespace backend."""

from __future__ import annotations

from conftest import require_tool
from namespaces.helpers import CURL, run_plain

from cwrap import elf


def test_static_server_on_fake_host_reached_by_name(make_env, run_as, static_server):
    require_tool("curl")
    assert elf.inspect(static_server).interpreter is None      # really static
    env = make_env(backend="namespaces")
    web = env.host("web")
    env.spawn([str(static_server), web.ipv4, "80"], host=web, ready=80, **run_as.kwargs())
    out = env.run(CURL + ["http://web.cwrap.test/"], capture_output=True, text=True,
                  **run_as.kwargs())
    # The server's UTS name is its host's; a client that binds nothing
    # comes from the kernel's choice for a local destination: that address.
    assert out.returncode == 0, out.stderr
    assert out.stdout == "static server web.cwrap.test saw 127.0.0.10\n"
    client = env.host("client")
    out = env.run(CURL + ["--interface", client.ipv4, "http://web/"], capture_output=True,
                  text=True, **run_as.kwargs())
    assert out.stdout == "static server web.cwrap.test saw 127.0.0.11\n", out.stderr


def test_static_server_fails_without_cwrap(run_as, static_server):
    require_tool("curl")
    bound = run_plain(run_as, [str(static_server), "127.0.0.10", "80", "1"])
    assert bound.returncode == 1 and "Permission denied" in bound.stderr
    reached = run_plain(run_as, CURL + ["http://web.cwrap.test/"])
    assert reached.returncode != 0 and "resolve" in reached.stderr.lower()
