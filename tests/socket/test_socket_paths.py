"""Every path a socket travels keeps its fake identity (dup*, fork,
threads, SCM_RIGHTS with 100 sockets, exec, close_range, raw close)."""

from __future__ import annotations

import cwrap


def socket_env(make_env, iface=20):
    env = make_env(socket=cwrap.SocketConfig(default_iface=iface), nss=False, uid=False)
    return env, {**env.variables, "LD_PRELOAD": str(cwrap.lib_path("socket"))}


def test_every_path_keeps_identity(probes, run_user, make_env):
    env, variables = socket_env(make_env)
    result = run_user([str(probes("socket_paths_probe")), "80"], env=variables)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "0 failed"
    assert len([l for l in lines if l.endswith(": ok")]) == 18
    # Only the listener had a file, and it is gone with its process.
    assert sorted(p.name for p in env.socket_dir.iterdir()) in ([], ["T0A0050"])


def test_without_the_shim_the_probe_cannot_even_listen(probes, run_user):
    result = run_user([str(probes("socket_paths_probe")), "80"])
    assert result.returncode == 2
    assert "listener: Permission denied" in result.stderr or \
        "listener: Cannot assign requested address" in result.stderr
