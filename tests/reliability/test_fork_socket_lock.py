"""fork() while another thread holds a socket's own lock (blocked in a
connect() to a full listener): the child's calls on the inherited socket
must not wait for a thread that does not exist in the child.  Before the
fix the child hung in its first setsockopt()."""

from __future__ import annotations

import pytest

from .helpers import socket_env, socket_files


@pytest.mark.parametrize("host", ["127.0.0.10", "fd00::5357:5f0a"])
def test_child_uses_a_socket_whose_lock_a_parent_thread_held(probes, run_user, make_env,
                                                            host):
    env = make_env(socket=True, nss=False, uid=False)
    result = run_user([str(probes("fork_sock_lock")), host, "80"], env=socket_env(env),
                      timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "queued 1" in lines
    for call in ("setsockopt 0", "getsockopt 0", "getsockname 0", "bind -22", "listen 0"):
        assert f"child {call}" in lines, result.stdout
    assert "child done" in lines and "child status 0 signal 0" in lines
    assert socket_files(env) == []
