"""Waiting until a fake address:port listens, without a sleep loop.

The socket file appears when the server binds (inotify reports it at
once); listen() follows, and /proc/net/unix shows when it has happened
(the ACCEPTCON flag of that path).
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import time
from pathlib import Path

from .addresses import Endpoint

_IN_CREATE = 0x100
_IN_MOVED_TO = 0x80
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_ACCEPTCON = 0x10000


def listening(path: Path) -> bool:
    """Is a socket bound to `path` listening?  (TCP endpoints only.)"""
    target = str(path)
    try:
        with open("/proc/net/unix") as table:
            next(table)
            for line in table:
                fields = line.split()
                if len(fields) >= 8 and fields[7] == target:
                    return bool(int(fields[3], 16) & _ACCEPTCON) or fields[4] == "0002"
    except OSError:
        return path.exists()
    return False


def bound(path: Path) -> bool:
    """Is a live socket bound to `path`? (any protocol)"""
    target = str(path)
    try:
        with open("/proc/net/unix") as table:
            return any(line.split()[-1:] == [target] for line in table)
    except OSError:
        return path.exists()


class _Inotify:
    def __init__(self, directory: Path) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        if libc.inotify_add_watch(self.fd, os.fsencode(directory),
                                  _IN_CREATE | _IN_MOVED_TO) < 0:
            err = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(err, f"cannot watch {directory}")

    def wait(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if ready:
            try:
                os.read(self.fd, 65536)
            except BlockingIOError:
                pass

    def close(self) -> None:
        os.close(self.fd)


def wait_for(socket_dir: Path, endpoint: Endpoint, timeout: float = 10.0) -> None:
    """Returns once `endpoint` is served (listening for TCP, bound for UDP);
    TimeoutError after `timeout` seconds."""
    path = endpoint.path(socket_dir)
    ready = listening if endpoint.proto == "tcp" else bound
    deadline = time.monotonic() + timeout
    watch = _Inotify(socket_dir)
    try:
        pause = 0.001
        while not ready(path):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"nothing listens on {endpoint.address()}:{endpoint.port} "
                                   f"({path}) after {timeout:g}s")
            if path.exists():
                # Bound, listen() not yet called: that is a matter of
                # microseconds, and no event marks it.
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.05)
            else:
                watch.wait(left)
    finally:
        watch.close()
