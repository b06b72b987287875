"""`cwrap up`: the shipped example stack end to end, as a normal user:
nginx on one fake host proxies to a Python app on a second, which talks
to redis on a third, all by made-up names, the app as a made-up account."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, require_tool, user_environ


def test_example_shop_stack(run_as, run_user, cwrap_cli, shared_tmp):
    for tool in ("nginx", "redis-server", "curl"):
        require_tool(tool)
    example = shared_tmp / "shop"
    shutil.copytree(REPO / "examples" / "shop", example)
    run_as.give(example)
    up = subprocess.Popen([*cwrap_cli, "up", str(example / "stack.toml")], cwd=shared_tmp,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=user_environ(run_as), **run_as.kwargs())
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = up.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "all 3 services ready" in line:
            break
    text = "".join(lines)
    assert "all 3 services ready" in text, text + up.stderr.read() if up.poll() is not None else text
    assert re.search(r"^web\s+tcp web\.shop\.test \(127\.0\.0\.\d+\) port 80", text, re.M)
    assert re.search(r"^app\s+tcp app\.shop\.test .* port 8000, as shopapp", text, re.M)
    state = Path(re.search(r"state directory (\S+)", text).group(1))
    for visit in (1, 2):
        got = run_user([*cwrap_cli, "run", "--join", str(state), "--", "curl", "-sS",
                        "http://web.shop.test/"], env={"SOCKET_WRAPPER_DEFAULT_IFACE": "40"})
        assert got.stdout == (f"hello from app.shop.test as shopapp (uid 2000); visit {visit}; "
                              "proxied for 127.0.0.40\n"), got.stderr
    up.send_signal(signal.SIGINT)
    assert up.wait(timeout=30) == 0
    assert not state.exists()


def test_bad_stack_files_are_one_line(run_user, cwrap_cli, shared_tmp):
    cases = {
        "missing.toml": None,
        "syntax.toml": "services = [",
        "empty.toml": "domain = 'x.test'\n",
        "after.toml": "[services.a]\ncommand = ['true']\nafter = ['b']\n",
        "cycle.toml": "[services.a]\ncommand=['true']\nafter=['b']\n"
                      "[services.b]\ncommand=['true']\nafter=['a']\n",
        "unknown.toml": "[services.a]\ncommand=['true']\nport = 3\n",
    }
    expected = {"missing.toml": "no such file", "syntax.toml": "missing.toml",
                "empty.toml": "no [services.NAME] tables",
                "after.toml": "comes after unknown service(s) b",
                "cycle.toml": "wait for each other in a cycle",
                "unknown.toml": "unknown key(s) port"}
    for name, content in cases.items():
        if content is not None:
            (shared_tmp / name).write_text(content)
        result = run_user([*cwrap_cli, "up", str(shared_tmp / name)])
        assert result.returncode == 125, (name, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        if name != "syntax.toml":
            assert expected[name] in result.stderr, result.stderr
