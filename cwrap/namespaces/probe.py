"""Can this user create the namespaces the backend needs, and if not, why
and what to change?

The probe does what the holder does, in a forked child: unshare a user,
network, mount and UTS namespace, map the user to root, then use a
capability inside (set the host name).  Each kernel knob that can stop
one of those steps is read to turn an errno into a reason and a fix.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from . import _sys

#: The steps of creating a namespace world, in order; a failure names one.
STEPS = ("unshare", "uid_map", "capability")


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _seccomp_mode() -> str | None:
    status = _read("/proc/self/status") or ""
    for line in status.splitlines():
        if line.startswith("Seccomp:"):
            return line.split()[1]
    return None


def explain(step: str, err: int) -> str:
    """Why creating the namespaces failed at `step` with `err`, and what to
    change: one paragraph for a user."""
    what = f"{step} failed ({errno.errorcode.get(err, err)}: {os.strerror(err)})"
    if _read("/proc/sys/user/max_user_namespaces") == "0":
        return (f"{what}: user namespaces are disabled by the sysctl "
                "user.max_user_namespaces=0; as root: sysctl -w user.max_user_namespaces=15000")
    if _read("/proc/sys/kernel/unprivileged_userns_clone") == "0":
        return (f"{what}: unprivileged user namespaces are disabled by the sysctl "
                "kernel.unprivileged_userns_clone=0; as root: "
                "sysctl -w kernel.unprivileged_userns_clone=1")
    if step != "unshare" and _read(
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        return (f"{what}: AppArmor restricts unprivileged user namespaces "
                "(kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10 and "
                "later): the namespace is created but holds no capabilities; as root "
                "either sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give "
                "the Python interpreter that runs cwrap an AppArmor profile with the "
                "'userns,' rule (see /etc/apparmor.d/ for the examples Ubuntu ships)")
    if step == "unshare" and err == errno.EPERM and _seccomp_mode() == "2":
        return (f"{what}: a seccomp filter forbids unshare(CLONE_NEWUSER) — the default "
                "profile of Docker and other container runtimes does; run the container "
                "with --security-opt seccomp=unconfined (or a profile that allows "
                "unshare and setns), or use the preload backend")
    if step == "unshare" and err == errno.ENOSPC:
        return (f"{what}: the limit of user namespaces (user.max_user_namespaces = "
                f"{_read('/proc/sys/user/max_user_namespaces')}) is reached")
    if step == "unshare" and err == errno.EINVAL:
        return f"{what}: this kernel lacks user, network, mount or UTS namespaces"
    if step == "unshare" and err == errno.EPERM:
        return (f"{what}: the kernel or a security module (SELinux, AppArmor, a "
                "container runtime) refuses unprivileged user namespaces to this process; "
                "check 'unshare -rn true' as this user")
    return what


def _attempt() -> tuple[str, int] | None:
    """In a forked child: the steps of the holder.  None when they all work."""
    uid, gid = os.geteuid(), os.getegid()
    try:
        _sys.unshare(_sys.ALL)
    except OSError as exc:
        return "unshare", exc.errno or 0
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    except OSError as exc:
        return "uid_map", exc.errno or 0
    try:
        _sys.sethostname("cwrap-probe")
    except OSError as exc:
        return "capability", exc.errno or 0
    return None


def probe() -> Probe:
    """Tries it (a fork: about a millisecond) and explains a failure."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            failed = _attempt()
            os.write(write_end, (f"{failed[0]} {failed[1]}" if failed else "ok").encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        answer = f.read().decode()
    os.waitpid(pid, 0)
    if answer == "ok":
        return Probe(True, "unprivileged user, network, mount and UTS namespaces work")
    if not answer:
        return Probe(False, "the probe process died before answering")
    step, err = answer.split()
    return Probe(False, explain(step, int(err)))
