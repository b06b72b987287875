"""Running out: SOCKET_WRAPPER_MAX_SOCKETS, RLIMIT_NOFILE (EMFILE).  The
right errno at the limit, and full recovery once sockets are closed."""

from __future__ import annotations

from .helpers import socket_env, socket_files

SCRIPT = """
import errno, resource, socket, sys
limit = sys.argv[1]
if limit == "nofile":
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
socks = []
try:
    while True:
        socks.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
except OSError as e:
    print("full", len(socks), errno.errorcode[e.errno])
for s in socks[:len(socks) // 2]:
    s.close()
socks = socks[len(socks) // 2:]
# Recovered: a listener and a connection, bytes through.
l = socket.socket(); l.bind(("127.0.0.10", 80)); l.listen()
c = socket.create_connection(("127.0.0.10", 80), timeout=5)
a, _ = l.accept()
c.sendall(b"after the limit"); print(a.recv(100).decode())
for s in socks + [l, c, a]:
    s.close()
"""


def test_max_sockets_then_recovery(run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    got = run_user(["python3", "-c", SCRIPT, "max"],
                   env=socket_env(env, SOCKET_WRAPPER_MAX_SOCKETS="8"), timeout=30)
    assert got.returncode == 0, got.stderr
    assert got.stdout.split("\n")[:2] == ["full 8 ENFILE", "after the limit"], got
    assert socket_files(env) == []


def test_emfile_then_recovery(run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    got = run_user(["python3", "-c", SCRIPT, "nofile"], env=socket_env(env), timeout=30)
    assert got.returncode == 0, got.stderr
    first, second = got.stdout.split("\n")[:2]
    assert first.startswith("full ") and first.endswith(" EMFILE"), got
    assert second == "after the limit"
    assert "cwrap-socket" not in got.stderr
    assert socket_files(env) == []


STALE_BIND = """
import errno, os, resource, signal, socket
pid = os.fork()
if pid == 0:                      # binds, then dies: its socket file stays
    held = socket.socket()
    held.bind(("127.0.0.10", 4242))
    os.kill(os.getpid(), signal.SIGKILL)
os.waitpid(pid, 0)
s = socket.socket()
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
held = []
try:
    while True:
        held.append(os.open("/dev/null", os.O_RDONLY))
except OSError:
    pass
try:
    s.bind(("127.0.0.10", 4242))
    print("bound while full")
except OSError as e:
    print("full:", errno.errorcode[e.errno])
for fd in held:
    os.close(fd)
s.bind(("127.0.0.10", 4242))
s.listen()
print("bound after")
"""


def test_stale_file_while_out_of_descriptors(run_user, make_env):
    """Reclaiming a stale socket file needs descriptors (/proc/net/unix and
    the directory lock) that bind(2) itself does not: out of them, the bind
    is refused with EADDRINUSE and a line saying why, never a live address
    taken; with descriptors back, the stale file is reclaimed."""
    env = make_env(socket=True, nss=False, uid=False)
    got = run_user(["python3", "-c", STALE_BIND], env=socket_env(env), timeout=30)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == ["full: EADDRINUSE", "bound after"], got
    assert "the bind gets EADDRINUSE" in got.stderr and "Too many open files" in got.stderr
