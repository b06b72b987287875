"""A pure-Go program (its own system calls, its own resolver reading
/etc/hosts): it listens on a fake host found by its made-up name and
resolves made-up names, through the namespace backend."""

from __future__ import annotations

from conftest import require_tool
from namespaces.helpers import CURL, run_plain

from cwrap import elf


def test_go_listens_on_fake_host_and_resolves_made_up_names(make_env, run_as, gofake):
    require_tool("curl")
    assert elf.inspect(gofake).go
    env = make_env(backend="namespaces", domain="lab.test")
    api, db = env.host("api"), env.host("db")
    env.add_host("cache.internal", "127.0.0.42")
    out = env.run([str(gofake), "lookup", "db.lab.test"], capture_output=True, text=True,
                  env={"GODEBUG": "netdns=go+2"}, **run_as.kwargs())
    assert out.stdout.split() == [db.ipv4, db.ipv6], out.stderr
    # Go's own resolver, reading the environment's files (nsswitch: files).
    assert "using Go's DNS resolver" in out.stderr
    assert "hostLookupOrder(db.lab.test) = files" in out.stderr
    env.spawn([str(gofake), "serve", "api.lab.test:80"], host=api, ready=80,
              **run_as.kwargs())
    got = env.run([str(gofake), "get", "api:80"], capture_output=True, text=True,
                  **run_as.kwargs())
    assert got.stdout.startswith(f"go api.lab.test {api.ipv4}:80 from {api.ipv4}:"), got
    # Names added after the namespaces exist are seen at once.
    env.add_host("late.lab.test", "127.0.0.43")
    late = env.run([str(gofake), "lookup", "late.lab.test"], capture_output=True, text=True,
                   **run_as.kwargs())
    assert late.stdout.split() == ["127.0.0.43"], late.stderr
    web = env.run(CURL + ["--http0.9", "http://api.lab.test/"], capture_output=True, text=True,
                  **run_as.kwargs())
    assert web.stdout.startswith("go api.lab.test"), web.stderr


def test_go_fails_without_cwrap(run_as, gofake):
    lookup = run_plain(run_as, [str(gofake), "lookup", "db.lab.test"])
    assert lookup.returncode == 1 and "no such host" in lookup.stderr
    serve = run_plain(run_as, [str(gofake), "serve", "127.0.0.10:80"])
    assert serve.returncode == 1 and "permission denied" in serve.stderr


def test_preload_cannot_reach_go(make_env, run_as, gofake):
    """The preload backend alone: Go's resolver ignores the NSS shim."""
    env = make_env()
    env.host("db")
    out = env.run([str(gofake), "lookup", "db.cwrap.test"], capture_output=True, text=True,
                  **run_as.kwargs())
    assert out.returncode == 1 and "no such host" in out.stderr
