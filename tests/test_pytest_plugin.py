"""The pytest plugin: fixtures, the marker, keep-on-failure, xdist."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

pytest_plugins = ["pytester"]

INNER = '''
import os, pytest

def test_env_is_started(cwrap_env):
    assert cwrap_env.dir.is_dir()
    out = cwrap_env.run(["sh", "-c", "echo $SOCKET_WRAPPER_DIR"], capture_output=True, text=True)
    assert out.stdout.strip() == str(cwrap_env.socket_dir)
    print("DIR", cwrap_env.dir)

@pytest.mark.cwrap(socket=False, nss=False, root=True)
def test_marker_configures(cwrap_env):
    assert cwrap_env.shims == ["uid"]
    assert cwrap_env.variables["UID_WRAPPER_ROOT"] == "1"

def test_failing_keeps_dir(cwrap_env):
    print("DIR", cwrap_env.dir)
    assert False

def test_factory(cwrap_env_factory):
    a, b = cwrap_env_factory(), cwrap_env_factory(uid=False)
    assert a.dir != b.dir and b.shims == ["socket", "nss"]
'''


def test_plugin_fixtures_and_failure_report(pytester):
    pytester.makepyfile(INNER)
    result = pytester.runpytest_subprocess("-rA", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    text = result.stdout.str()
    kept = re.search(r"state directory kept: (\S+)", text)
    assert kept, text
    kept_dir = Path(kept.group(1))
    assert kept_dir.is_dir()
    shutil.rmtree(kept_dir)
    others = [Path(d) for d in re.findall(r"DIR (\S+)", text) if Path(d) != kept_dir]
    assert others and not any(d.exists() for d in others)   # passing tests clean up


def test_xdist_workers_share_nothing(pytester):
    pytester.makepyfile('''
import pytest

@pytest.mark.parametrize("n", range(8))
def test_many(cwrap_env, n):
    marker = cwrap_env.dir / "mine"
    assert not marker.exists()
    marker.write_text(str(n))
    print("DIR", cwrap_env.dir)
''')
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=8)
    dirs = re.findall(r"DIR (\S+)", result.stdout.str())
    assert len(set(dirs)) == 8


def test_failed_test_keeps_its_capture(pytester):
    pytester.makepyfile('''
import socket, sys, pytest

CODE = ("import socket; s = socket.socket(); s.bind(('127.0.0.10', 80)); s.listen(); "
        "c = socket.create_connection(('127.0.0.10', 80)); c.sendall(b'hi'); "
        "a, _ = s.accept(); assert a.recv(2) == b'hi'; c.close(); a.close()")

@pytest.mark.cwrap(socket=True, nss=False, uid=False, pcap=True)
def test_fails_after_traffic(cwrap_env):
    cwrap_env.run([sys.executable, "-c", CODE], check=True)
    (flow,) = cwrap_env.capture().flows()
    assert flow.data_to_server == b"hi"
    assert False, "deliberately"
''')
    result = pytester.runpytest_subprocess("-rA", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    kept = re.search(r"capture kept: (\S+)", text)
    assert kept, text
    capture = Path(kept.group(1))
    assert capture.is_file() and capture.stat().st_size > 24
    shutil.rmtree(capture.parent)
