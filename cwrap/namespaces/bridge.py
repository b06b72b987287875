"""TCP between the two backends of one environment.

Runs in the holder, inside the namespace's network stack, with the
socket shim's directory in reach:

* a program in the namespace listening on a fake address (or the
  wildcard) gets a listener file in the socket directory, as the socket
  shim would make it, so preload-wrapped clients connect to it;
* a preload-wrapped program listening on a fake host (a listener file of
  this shim) gets a kernel listener on that address in the namespace, so
  programs there connect to it.

Each connection is copied both ways by two threads, half-closes
included, and the far side sees the near side's fake address: the
namespace side binds the client's fake host before connecting, the
socket shim side names itself as that shim's clients do.  Listeners are
found by scanning /proc/net/tcp{,6} and the socket directory every few
milliseconds.  UDP is not bridged.

The AF_UNIX sockets are made by a small process forked before the holder
left the host's network namespace (OuterSockets): a socket belongs to the
namespace it was created in, and the socket shim's programs look for live
listeners in their own /proc/net/unix.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import selectors
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..socket.addresses import Endpoint, iface_of
from .capture import Capture

SCAN_INTERVAL = 0.02
_LISTEN = "0A"
_UDP_BOUND = "07"
_OUR_LISTENER_MODE = stat.S_ISVTX | stat.S_IRWXU


@dataclass(frozen=True)
class KernelListener:
    version: int
    address: str
    port: int


def _parse_hex_address(text: str, version: int) -> str:
    raw = bytes.fromhex(text)
    # /proc/net prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def kernel_listeners(proc_net: str | Path = "/proc/net",
                     proto: str = "tcp") -> set[KernelListener]:
    """Listening TCP sockets (or bound UDP ones) of a network namespace."""
    out = set()
    state = _LISTEN if proto == "tcp" else _UDP_BOUND
    for name, version in ((proto, 4), (proto + "6", 6)):
        try:
            lines = Path(proc_net, name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 4 or fields[3] != state:
                continue
            address, port = fields[1].split(":")
            out.add(KernelListener(version, _parse_hex_address(address, version),
                                   int(port, 16)))
    return out


class OuterSockets:
    """AF_UNIX sockets of the host's network namespace, made on request by
    a child forked while the holder was still there."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the child
            ours.close()
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            try:
                self._serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self._sock = ours
        self._lock = threading.Lock()

    @staticmethod
    def _serve(conn: socket.socket) -> None:
        while True:
            request = conn.recv(4096)
            if not request:
                return
            kind, _, path = request.decode().partition(" ")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                if kind == "listen":
                    sock.bind(path)
                    os.chmod(path, _OUR_LISTENER_MODE)
                    sock.listen(128)
                socket.send_fds(conn, [b"0"], [sock.fileno()])
            except OSError as exc:
                conn.send(str(exc.errno or 0).encode())
            sock.close()

    def stop(self) -> None:
        """Ends and reaps the child (else it would linger in our process
        group as a zombie of whoever adopts it)."""
        self._sock.close()
        try:
            os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass

    def make(self, kind: str, path: str = "") -> socket.socket:
        """A listener bound to `path` ("listen") or a plain socket ("client")."""
        with self._lock:
            self._sock.send(f"{kind} {path}".encode())
            data, fds, _, _ = socket.recv_fds(self._sock, 64, 1)
        if not fds:
            err = int(data or b"0")
            raise OSError(err, os.strerror(err))
        return socket.socket(fileno=fds[0])


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _splice(a: socket.socket, b: socket.socket) -> None:
    other = threading.Thread(target=_pump, args=(b, a), daemon=True)
    other.start()
    _pump(a, b)
    other.join()
    a.close()
    b.close()


class Bridge:
    def __init__(self, socket_dir: Path, outer: OuterSockets,
                 network: str = "127.0.0.0") -> None:
        self.socket_dir = socket_dir
        self.outer = outer
        self.network = network
        self.wildcard_hosts: set[int] = {1}
        self._selector = selectors.DefaultSelector()
        # file path -> (listening AF_UNIX socket, where to connect in the namespace)
        self._files: dict[str, tuple[socket.socket, tuple[int, str, int]]] = {}
        # (version, address, port) -> (kernel listener, the file it forwards to)
        self._kernel: dict[tuple[int, str, int], tuple[socket.socket, str]] = {}
        self._lock = threading.Lock()
        #: the namespace's packet capture, told which ends are the bridge's
        self.capture: Capture | None = None

    def _bridged(self, end: tuple[str, int], on: bool = True) -> None:
        if self.capture is not None:
            self.capture.bridged(end, on)

    # -- scanning ------------------------------------------------------------

    def run_forever(self) -> None:
        next_scan = 0.0
        while True:
            now = time.monotonic()
            if now >= next_scan:
                with self._lock:
                    self.scan()
                next_scan = now + SCAN_INTERVAL
            for key, _ in self._selector.select(timeout=SCAN_INTERVAL):
                self._accept(key.fileobj, key.data)  # type: ignore[arg-type]

    def _fake_iface(self, address: str) -> int | None:
        try:
            return iface_of(address, self.network)
        except (ConfigError, ValueError):
            return None

    def scan(self) -> None:
        self._scan_kernel()
        self._scan_files()

    def _scan_kernel(self) -> None:
        wanted: dict[str, tuple[int, str, int]] = {}
        for lst in kernel_listeners():
            if (lst.version, lst.address, lst.port) in self._kernel:
                continue           # one of ours
            if ipaddress.ip_address(lst.address).is_unspecified:
                ifaces = sorted(self.wildcard_hosts)
            else:
                iface = self._fake_iface(lst.address)
                ifaces = [iface] if iface is not None else []
            for iface in ifaces:
                ep = Endpoint(iface, lst.port, "tcp", lst.version)  # type: ignore[arg-type]
                wanted[str(ep.path(self.socket_dir))] = (lst.version, ep.address(self.network),
                                                         lst.port)
        for path in list(self._files):
            if path not in wanted:
                self._drop_file(path)
        for path, target in wanted.items():
            if path not in self._files:
                self._listen_file(path, target)

    def _listen_file(self, path: str, target: tuple[int, str, int]) -> None:
        if os.path.lexists(path):
            return                 # a preload-wrapped program holds that address
        try:
            sock = self.outer.make("listen", path)
        except OSError:
            return
        sock.setblocking(False)
        self._files[path] = (sock, target)
        self._selector.register(sock, selectors.EVENT_READ, ("file", path))

    def _drop_file(self, path: str) -> None:
        sock, _ = self._files.pop(path)
        self._selector.unregister(sock)
        try:
            os.unlink(path)
        except OSError:
            pass
        sock.close()

    def _scan_files(self) -> None:
        present: dict[tuple[int, str, int], str] = {}
        try:
            entries = list(os.scandir(self.socket_dir))
        except OSError:
            return
        for entry in entries:
            if entry.path in self._files or len(entry.name) != 7 or entry.name[0] not in "TX":
                continue
            try:
                ep = Endpoint.from_filename(entry.name)
                if not entry.stat(follow_symlinks=False).st_mode & stat.S_ISVTX:
                    continue       # a client's or upstream's file: not a listener of ours
            except (ConfigError, ValueError, OSError):
                continue
            present[(ep.version, ep.address(self.network), ep.port)] = entry.path
        for key in list(self._kernel):
            if key not in present:
                sock, _ = self._kernel.pop(key)
                self._selector.unregister(sock)
                sock.close()
                self._bridged(key[1:], False)
        for key, path in present.items():
            if key not in self._kernel:
                self._listen_kernel(key, path)

    def _listen_kernel(self, key: tuple[int, str, int], path: str) -> None:
        version, address, port = key
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            self._bridged((address, port))
            sock.listen(128)
        except OSError:
            sock.close()       # taken by a program of the namespace: it wins
            self._bridged((address, port), False)
            return
        sock.setblocking(False)
        self._kernel[key] = (sock, path)
        self._selector.register(sock, selectors.EVENT_READ, ("kernel", key))

    # -- connections -----------------------------------------------------------

    def _accept(self, listener: socket.socket, data: tuple[str, object]) -> None:
        try:
            conn, peer = listener.accept()
        except OSError:
            return
        conn.setblocking(True)
        kind, key = data
        if kind == "file":
            target = self._files.get(key)  # type: ignore[call-overload]
            if target is None:
                conn.close()
                return
            threading.Thread(target=self._to_kernel, args=(conn, peer, target[1]),
                             daemon=True).start()
        else:
            entry = self._kernel.get(key)  # type: ignore[call-overload]
            if entry is None:
                conn.close()
                return
            threading.Thread(target=self._to_file, args=(conn, peer, entry[1]),
                             daemon=True).start()

    def _to_kernel(self, conn: socket.socket, peer: object,
                   target: tuple[int, str, int]) -> None:
        """A preload-wrapped client reached a namespace program's address."""
        version, address, port = target
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        out = socket.socket(family, socket.SOCK_STREAM)
        name = peer.decode(errors="replace") if isinstance(peer, bytes) else str(peer or "")
        # Bound before connecting, also without a fake source (to the
        # kernel's own choice, the destination), so the capture knows the end.
        source = self._client_source(name.lstrip("\0"), version) or (address, 0)
        end: tuple[str, int] | None = None
        try:
            self._bind_source(out, source)
            end = out.getsockname()[:2]
            self._bridged(end)
            out.connect((address, port))
        except OSError:
            out.close()
            conn.close()           # the client sees the connection reset
            if end is not None:
                self._bridged(end, False)
            return
        _splice(conn, out)
        self._bridged(end, False)

    def _client_source(self, name: str, version: int) -> tuple[str, int] | None:
        try:
            ep = Endpoint.from_filename(os.path.basename(name))
        except (ConfigError, ValueError):
            return None
        if ep.version != version:
            return None
        return ep.address(self.network), ep.port

    @staticmethod
    def _bind_source(sock: socket.socket, source: tuple[str, int]) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(source)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            sock.bind((source[0], 0))

    def _to_file(self, conn: socket.socket, peer: tuple[str, int], path: str) -> None:
        """A namespace program reached a preload-wrapped listener."""
        iface = self._fake_iface(peer[0])
        try:
            out = self.outer.make("client")
        except OSError:
            conn.close()
            return
        try:
            if iface is not None:
                version = 4 if conn.family == socket.AF_INET else 6
                ep = Endpoint(iface, peer[1], "tcp", version)  # type: ignore[arg-type]
                try:
                    # The socket shim's clients name themselves so, in the
                    # abstract namespace: its listener reads our fake address.
                    out.bind("\0" + str(ep.path(self.socket_dir)))
                except OSError:
                    pass
            out.connect(path)
        except OSError:
            out.close()
            conn.close()
            return
        _splice(conn, out)
