"""The process that holds an environment's namespaces.

It unshares a user, network, mount and UTS namespace (no real root: the
user becomes root of its own namespace), configures the network
(network.configure), covers /etc's files with the environment's, sets
the host name, then bridges TCP to the socket shim's world and waits.
Programs join its namespaces with setns() (launch.py).  It exits when
its standard input reaches end-of-file: the environment closed it, or
died.

Started by launch.Holder (as `python -c BOOT CONFIG-JSON`).  It answers one
line on stdout: "ready" or "error STEP ERRNO MESSAGE".  Commands on stdin,
one a line: "overlays JSON" (bind the files again: the environment
rewrote them), "hosts N,N,..." (the hosts a wildcard listener is bridged
on).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from . import _sys


class Failed(Exception):
    def __init__(self, step: str, err: int, message: str) -> None:
        super().__init__(message)
        self.step, self.err = step, err


def _step(step: str, func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except OSError as exc:
        raise Failed(step, exc.errno or 0, str(exc)) from exc


def bind_overlays(overlays: list[list[str]], again: bool = False) -> None:
    for source, target in overlays:
        if again:
            # The environment replaced the file (rename): the old bind now
            # covers a deleted file, on which nothing can be mounted.  For
            # the moment between the two calls /etc's own file shows.
            try:
                _sys.umount_detach(target)
            except OSError:
                pass
        _sys.mount(source, target, None, _sys.MS_BIND)


def create(config: dict[str, Any]) -> Any:
    """Creates the namespaces; returns the OuterSockets for the bridge."""
    uid, gid, parent = os.geteuid(), os.getegid(), os.getppid()
    outer = None
    if config.get("socket_dir"):
        from .bridge import OuterSockets
        outer = OuterSockets()     # before leaving the host's network namespace
    _step("unshare", _sys.unshare, _sys.ALL)
    _sys.set_pdeathsig(signal.SIGKILL)   # cleared by the change of credentials
    if os.getppid() != parent:
        os._exit(1)
    _step("uid_map", Path("/proc/self/setgroups").write_text, "deny")
    _step("uid_map", Path("/proc/self/uid_map").write_text, f"0 {uid} 1")
    _step("uid_map", Path("/proc/self/gid_map").write_text, f"0 {gid} 1")
    if config.get("hostname"):
        _step("capability", _sys.sethostname, config["hostname"])
    _step("mount", _sys.mount, None, "/", None, _sys.MS_REC | _sys.MS_PRIVATE)
    _step("mount", bind_overlays, config["overlays"])
    from .network import configure
    try:
        configure(config.get("network") or "127.0.0.0")
    except OSError as exc:
        raise Failed("network", exc.errno or 0, str(exc)) from exc
    except Exception as exc:  # pyroute2's NetlinkError carries .code
        code = getattr(exc, "code", 0)
        raise Failed("network", code if isinstance(code, int) else 0, str(exc)) from exc
    return outer


def start_capture(config: dict[str, Any]) -> Any:
    if not config.get("pcap"):
        return None
    from .capture import Capture
    try:
        capture = Capture(Path(config["pcap"]))
    except OSError as exc:
        raise Failed("capture", exc.errno or 0, f"{config['pcap']}: {exc}") from exc
    threading.Thread(target=capture.run_forever, daemon=True).start()
    return capture


def main() -> None:
    config = json.loads(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.chdir("/")
    try:
        outer = create(config)
        capture = start_capture(config)
    except Failed as exc:
        print(f"error {exc.step} {exc.err} {exc}", flush=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - reported to the environment
        print(f"error setup 0 {type(exc).__name__}: {exc}", flush=True)
        sys.exit(1)
    def stop(signum: int = 0, frame: Any = None) -> None:
        if outer is not None:
            outer.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    bridge = None
    if outer is not None:
        from .bridge import Bridge
        bridge = Bridge(Path(config["socket_dir"]), outer, config.get("network") or "127.0.0.0")
        bridge.wildcard_hosts = set(config.get("hosts") or [1])
        bridge.capture = capture
        bridge.scan()      # what already listens is bridged before "ready"
        threading.Thread(target=bridge.run_forever, daemon=True).start()
    print("ready", flush=True)
    for raw in sys.stdin:
        command, _, arg = raw.strip().partition(" ")
        try:
            if command == "overlays":
                bind_overlays(json.loads(arg), again=True)
            elif command == "hosts" and bridge is not None:
                bridge.wildcard_hosts = {int(n) for n in arg.split(",") if n} or {1}
            print("ok", flush=True)
        except (OSError, ValueError) as exc:
            print(f"error {command} 0 {exc}", flush=True)
    stop()


if __name__ == "__main__":
    main()
