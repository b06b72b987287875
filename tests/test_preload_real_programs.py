"""Each shim, and all three together, load silently into real programs:
the program's output and status are exactly what they are without them."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cwrap
from conftest import require_tool, user_environ

COMBOS = [("socket",), ("nss",), ("uid",), ("socket", "nss", "uid")]


def programs():
    return {
        "true": [require_tool("true")],
        "python3": ["/usr/bin/python3", "-c", "import socket, pwd; print('ok')"],
        "venv-python": [sys.executable, "-c", "print('ok')"],
        "nginx -v": [require_tool("nginx"), "-v"],
        "ls": [require_tool("ls"), "/"],
    }


@pytest.mark.parametrize("shims", COMBOS, ids=["+".join(c) for c in COMBOS])
@pytest.mark.parametrize("name", ["true", "python3", "venv-python", "nginx -v", "ls"])
def test_preloads_silently(make_env, run_as, shims, name):
    argv = programs()[name]
    env = make_env(**{s: (s in shims) for s in cwrap.SHIMS})
    plain = subprocess.run(argv, env=user_environ(run_as), capture_output=True, text=True,
                           **run_as.kwargs())
    wrapped = env.run(argv, capture_output=True, text=True, **run_as.kwargs())
    assert (wrapped.returncode, wrapped.stdout, wrapped.stderr) == \
           (plain.returncode, plain.stdout, plain.stderr)
    assert "cwrap-" not in wrapped.stderr and "ld.so" not in wrapped.stderr
