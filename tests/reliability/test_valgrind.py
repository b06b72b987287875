"""valgrind memcheck on real programs under all three shims (socket, nss
and uid preloaded together): python3 -m http.server answering curl,
nginx serving one request, getent passwd and getent hosts.  Any memcheck
error fails (ERROR SUMMARY must be 0, --error-exitcode=99).  Leaks are
not errors here: the shims keep their tables for the process lifetime.

No suppressions are needed.  PYTHONMALLOC=malloc: pymalloc reads memory
it does not own on purpose (address_in_range) and is documented to need
it under valgrind.  Only the program itself runs under valgrind
(--trace-children=no): nginx runs with master_process off."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import pytest

from cwrap.programs import nginx_config
from conftest import require_tool

VALGRIND_ERRORS = 99


def _valgrind(log) -> list[str]:
    return [require_tool("valgrind"), "--tool=memcheck", f"--error-exitcode={VALGRIND_ERRORS}",
            "--trace-children=no", "--leak-check=no", "--track-origins=no",
            "--num-callers=30", f"--log-file={log}"]


def _clean(log, what: str) -> None:
    text = log.read_text()
    assert "Memcheck, a memory error detector" in text, text[-2000:]
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary and summary[-1] == "0", f"{what}:\n{text[-6000:]}"


@pytest.fixture
def world(make_env):
    env = make_env()            # socket, nss and uid
    preload = env.compose({})["LD_PRELOAD"]
    for shim in ("socket", "nss", "uid"):
        assert f"libcwrap_{shim}.so" in preload, preload
    env.add_host("web", "10.53.57.5")
    return env


def _wait_http(env, run_as, curl, url, timeout=90.0):
    deadline = time.monotonic() + timeout
    while True:
        got = env.run([curl, "-sS", "--max-time", "20", url], capture_output=True, text=True,
                      timeout=60, **run_as.kwargs())
        if got.returncode == 0 or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def test_getent_passwd_and_hosts_under_valgrind(world, run_as):
    getent = require_tool("getent")
    for argv in (["passwd", run_as.name], ["passwd"], ["hosts", "web"]):
        log = world.dir / f"vg-getent-{argv[0]}-{len(argv)}.log"
        result = world.run([*_valgrind(log), getent, *argv], capture_output=True, text=True,
                           timeout=120, **run_as.kwargs())
        assert result.returncode == 0, (argv, result.stderr, log.read_text()[-4000:])
        _clean(log, " ".join(argv))
    assert "10.53.57.5" in result.stdout


def test_python_http_server_under_valgrind(world, run_as):
    curl = require_tool("curl")
    log = world.dir / "vg-python.log"
    (world.dir / "www").mkdir()
    (world.dir / "www" / "hello.txt").write_text("hello through valgrind\n")
    run_as.give(world.dir / "www")
    server = world.popen([*_valgrind(log), "/usr/bin/python3", "-m", "http.server",
                          "--bind", "127.0.0.10", "80", "--directory", str(world.dir / "www")],
                         env={"PYTHONMALLOC": "malloc", "SOCKET_WRAPPER_DEFAULT_IFACE": "10"},
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         **run_as.kwargs())
    try:
        got = _wait_http(world, run_as, curl, "http://127.0.0.10/hello.txt")
        assert got.stdout == "hello through valgrind\n", got.stderr
    finally:
        server.send_signal(2)       # KeyboardInterrupt: a clean exit
        out, err = server.communicate(timeout=120)
    assert server.returncode != VALGRIND_ERRORS, err
    _clean(log, "python3 -m http.server")


def _quit(server: subprocess.Popen, patience: float = 120) -> tuple[str, str]:
    """SIGQUIT (graceful shutdown), sent again until nginx leaves: without
    a master process nginx checks for it only between two epoll_wait()s,
    and a signal that lands just before the wait is seen at the next
    event, which may never come (slow under valgrind)."""
    deadline = time.monotonic() + patience
    while True:
        server.send_signal(signal.SIGQUIT)
        try:
            return server.communicate(timeout=2)
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                raise


def test_nginx_one_request_under_valgrind(world, run_as):
    nginx = require_tool("nginx")
    curl = require_tool("curl")
    d = world.dir
    log = d / "vg-nginx.log"
    (d / "www").mkdir()
    (d / "www" / "index.html").write_text("nginx through valgrind\n")
    conf = d / "nginx.conf"
    conf.write_text(nginx_config(world, f"listen 127.0.0.10:80; root {d}/www;",
                                 master_process=False, worker_processes=1,
                                 worker_connections=64))
    run_as.give(d)
    server = world.popen([*_valgrind(log), nginx, "-e", "stderr", "-p", str(d), "-c", str(conf)],
                         env={"SOCKET_WRAPPER_DEFAULT_IFACE": "10"}, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, **run_as.kwargs())
    try:
        got = _wait_http(world, run_as, curl, "http://127.0.0.10/")
        assert got.stdout == "nginx through valgrind\n", got.stderr
    finally:
        out, err = _quit(server)
    assert server.returncode == 0, err[-3000:]
    _clean(log, "nginx")
