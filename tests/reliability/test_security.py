"""Who can reach the fake network: socket files are owner-only, another
user cannot connect or send, directories others could write to are
refused, files planted by another user are ignored, and the shims do
nothing in set-id programs (AT_SECURE).  Also hostile directories."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

import cwrap
from cwrap.testing import unprivileged
from .helpers import socket_env

BIND = """
import os, socket, stat, sys
d = os.environ["SOCKET_WRAPPER_DIR"]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.10", 53))
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); t.bind(("fd00::5357:5f0a", 81))
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM); l.bind(("127.0.0.10", 80)); l.listen()
for name in sorted(os.listdir(d)):
    print(name, oct(stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode)))
sys.stdout.flush()
sys.stdin.readline()
"""


@pytest.fixture(scope="module")
def other_user():
    """A second unprivileged user (the first is run_as's)."""
    return unprivileged("cwrap-test2")


def test_socket_files_are_owner_only(run_as, run_user, make_env, other_user):
    env = make_env(socket=True, nss=False, uid=False)
    sdir = Path(env.variables["SOCKET_WRAPPER_DIR"])
    assert stat.S_IMODE(sdir.stat().st_mode) == 0o700
    assert stat.S_IMODE(env.dir.stat().st_mode) == 0o700
    os.chmod(sdir, 0o711)    # let others reach the files: only their modes protect them
    proc = subprocess.Popen(["python3", "-c", BIND], env={**socket_env(env), "PATH": "/usr/bin:/bin"},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            **run_as.kwargs())
    try:
        lines = [proc.stdout.readline().split() for _ in range(3)]
        assert lines == [["T0A0050", "0o1700"], ["U0A0035", "0o700"], ["X0A0051", "0o700"]]
        # The other user tries the raw AF_UNIX sockets directly.
        probe = ("import socket,sys\n"
                 "s=socket.socket(socket.AF_UNIX); r=s.connect_ex(sys.argv[1]+'/T0A0050'); print(r)\n"
                 "u=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                 "try: u.sendto(b'x', sys.argv[1]+'/U0A0035'); print('sent')\n"
                 "except OSError as e: print(e.errno)\n")
        got = subprocess.run(["python3", "-c", probe, str(sdir)], capture_output=True, text=True,
                             **other_user.kwargs(), timeout=30)
        assert got.stdout.split() == [str(13), str(13)], got   # EACCES, EACCES
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


CLIENT = """
import socket
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(("127.0.0.10", 80)); print("connected")
except OSError as e:
    print("errno", e.errno)
"""


def run_client(run_user, env_vars):
    return run_user(["python3", "-c", CLIENT], env=env_vars, timeout=30)


def test_world_writable_or_foreign_directory_is_refused(run_user, make_env, other_user, shared_tmp):
    env = make_env(socket=True, nss=False, uid=False)
    sdir = Path(env.variables["SOCKET_WRAPPER_DIR"])
    os.chmod(sdir, 0o1777)
    got = run_client(run_user, socket_env(env))
    assert got.stdout.strip() == "errno 13", got        # EACCES: fails closed
    assert "is writable by every user (mode 1777)" in got.stderr
    # A symlink to a world-writable directory: the target is what counts.
    link = shared_tmp / "net"
    link.symlink_to("/tmp")
    got = run_client(run_user, socket_env(env, SOCKET_WRAPPER_DIR=str(link)))
    assert got.stdout.strip() == "errno 13" and "writable by every user" in got.stderr
    # Somebody else's directory.
    os.chmod(sdir, 0o755)
    os.chown(sdir, other_user.uid, other_user.gid)
    got = run_client(run_user, socket_env(env))
    assert got.stdout.strip() == "errno 13", got
    assert f"belongs to uid {other_user.uid}, not to this user" in got.stderr


def test_unwritable_directory_gives_a_clear_error(run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    sdir = Path(env.variables["SOCKET_WRAPPER_DIR"])
    os.chmod(sdir, 0o500)
    script = ("import socket\ns=socket.socket()\n"
              "try: s.bind(('127.0.0.10', 80)); print('bound')\n"
              "except OSError as e: print('errno', e.errno)\n")
    got = run_user(["python3", "-c", script], env=socket_env(env), timeout=30)
    assert got.stdout.strip() == "errno 13", got
    assert f"cannot create {sdir}/T0A0050: Permission denied" in got.stderr


def test_socket_file_planted_by_another_user_is_ignored(run_user, make_env, other_user):
    env = make_env(socket=True, nss=False, uid=False)
    sdir = Path(env.variables["SOCKET_WRAPPER_DIR"])
    # Root plants a listener at 127.0.0.10:80 and gives it to another user.
    planted = socket.socket(socket.AF_UNIX)
    planted.bind(str(sdir / "T0A0050"))
    planted.listen()
    os.chown(sdir / "T0A0050", other_user.uid, other_user.gid)
    os.chmod(sdir / "T0A0050", 0o1777)
    planted.setblocking(False)
    try:
        got = run_client(run_user, socket_env(env))
        assert got.stdout.strip() == "errno 111", got       # ECONNREFUSED
        assert f"belongs to uid {other_user.uid}, not to the owner" in got.stderr
        with pytest.raises(BlockingIOError):
            planted.accept()                                 # it heard nothing
    finally:
        planted.close()


def test_shims_do_nothing_in_setid_programs(probes, run_as, other_user, make_env):
    """ld.so preloads into a set-id program only libraries from the
    system directories that are set-uid themselves; installed that way,
    each shim is loaded but stays off (AT_SECURE)."""
    libdir = Path("/usr/lib/x86_64-linux-gnu")
    names = []
    for shim in ("socket", "uid"):
        target = libdir / f"libcwrap_sectest_{shim}.so"
        shutil.copy(cwrap.lib_path(shim), target)
        os.chmod(target, 0o4755)
        names.append(target.name)
    where = Path(tempfile.mkdtemp(prefix="cwsec-"))
    os.chmod(where, 0o755)
    try:
        binary = where / "secure_probe"
        shutil.copy(probes("secure_probe"), binary)
        os.chown(binary, other_user.uid, other_user.gid)
        os.chmod(binary, 0o4755)
        env = make_env(socket=True, nss=False, uid=False)
        variables = {**env.variables, "LD_PRELOAD": " ".join(names), "UID_WRAPPER": "1",
                     "UID_WRAPPER_ROOT": "1", "PATH": "/usr/bin:/bin"}
        got = subprocess.run([str(binary)], env=variables, capture_output=True, text=True,
                             timeout=30, **run_as.kwargs())
        assert got.returncode == 0, got.stderr
        assert got.stdout.split("\n")[:4] == [
            "secure 1", "socket loaded-off", "uid loaded-off", f"euid {other_user.uid}"], got
        # The same program, not set-id: both shims on.
        os.chmod(binary, 0o755)
        plain = subprocess.run([str(binary)], env=variables, capture_output=True, text=True,
                               timeout=30, **run_as.kwargs())
        assert plain.stdout.split("\n")[:4] == ["secure 0", "socket on", "uid on", "euid 0"], plain
    finally:
        for name in names:
            (libdir / name).unlink()
        shutil.rmtree(where, ignore_errors=True)
