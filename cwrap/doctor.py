"""Checks behind `cwrap doctor`: is each shim usable here, and can a given
program be reached by LD_PRELOAD at all?"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import elf, statedir
from ._ffi import shim_version
from ._libs import SHIMS, lib_path
from ._version import __version__
from .errors import CwrapError


@dataclass
class Finding:
    ok: bool
    subject: str
    detail: str
    #: ok for the exit status, but worth reading (an optional part is missing)
    warn: bool = False

    def line(self) -> str:
        label = "BAD" if not self.ok else "warn" if self.warn else "ok "
        return f"{label}  {self.subject}: {self.detail}"


def check_shims() -> list[Finding]:
    findings = []
    for shim in SHIMS:
        try:
            path = lib_path(shim)
        except CwrapError as exc:
            findings.append(Finding(False, f"{shim} shim", str(exc)))
            continue
        findings.append(_check_loads(shim, path))
    return findings


def _check_loads(shim: str, path: Path) -> Finding:
    env = dict(os.environ, LD_PRELOAD=str(path))
    probe = subprocess.run(["/bin/true"], env=env, capture_output=True, text=True)
    if probe.returncode != 0 or probe.stderr:
        reason = probe.stderr.strip() or f"exit status {probe.returncode}"
        return Finding(False, f"{shim} shim", f"{path} does not preload: {reason}")
    try:
        version = shim_version(shim, path)
    except (OSError, AttributeError) as exc:
        return Finding(False, f"{shim} shim", f"{path} cannot be opened: {exc}")
    if version != __version__:
        return Finding(False, f"{shim} shim", f"{path} is version {version}, "
                       f"the package is {__version__}: reinstall cwrap-suite")
    return Finding(True, f"{shim} shim", f"{path} (version {version}) preloads")


def check_namespaces() -> Finding:
    """The namespace backend: unprivileged namespaces and pyroute2.  Only
    that backend needs them, so a failure is a warning."""
    from .namespaces.probe import probe
    subject = "namespace backend"
    result = probe()
    if not result.ok:
        return Finding(True, subject, result.detail + "; the preload backend still works, "
                       "and --backend auto falls back to it", warn=True)
    if importlib.util.find_spec("pyroute2") is None:
        return Finding(True, subject, "namespaces work, but pyroute2 is missing: "
                       "pip install 'cwrap-suite[namespaces]'", warn=True)
    return Finding(True, subject, result.detail + " (pyroute2 installed)")


def check_state_base(base: Path | None = None) -> Finding:
    base = (base or statedir.default_base()).resolve()
    example = statedir.socket_dir_of(base / "cw-XXXXXXXX")
    length = len(os.fsencode(example))
    if length > statedir.SOCKET_DIR_MAX:
        return Finding(False, "state directory", f"{base} is too long: socket directories "
                       f"there would be {length} bytes, at most {statedir.SOCKET_DIR_MAX} fit; "
                       "set CWRAP_TMPDIR to a shorter directory")
    if not os.access(base, os.W_OK | os.X_OK):
        return Finding(False, "state directory", f"{base} is not writable; set CWRAP_TMPDIR")
    return Finding(True, "state directory", f"{base} (socket paths of {length} bytes fit)")


def check_program(command: str) -> list[Finding]:
    """Explains whether LD_PRELOAD can reach `command`."""
    found = shutil.which(command) if "/" not in command else command
    if found is None or not Path(found).exists():
        return [Finding(False, command, "not found")]
    prog = elf.inspect(found)
    subject = str(found)
    if prog.shebang:
        interpreter = prog.shebang.split()[0] if prog.shebang.split() else ""
        if interpreter.endswith("/env") and len(prog.shebang.split()) > 1:
            interpreter = prog.shebang.split()[1]
        findings = [Finding(True, subject, f"a script run by {prog.shebang!r}: "
                            "what matters is its interpreter")]
        return findings + (check_program(interpreter) if interpreter else [])
    if not prog.is_elf:
        return [Finding(False, subject, "neither an ELF program nor a script")]
    if prog.setuid or prog.setgid:
        return [Finding(False, subject, "setuid/setgid: the loader ignores LD_PRELOAD "
                        "in such programs, so no shim reaches it (run a copy without the "
                        "bit, or use the namespace backend)")]
    if prog.go:
        return [Finding(False, subject, "a Go program: it makes its own system calls, so "
                        "LD_PRELOAD cannot reach its sockets or ids (use the namespace "
                        "backend)")]
    if prog.interpreter is None:
        return [Finding(False, subject, "statically linked: LD_PRELOAD needs the dynamic "
                        "loader, so no shim reaches it (use the namespace backend)")]
    return [Finding(True, subject, f"dynamically linked (loader {prog.interpreter}): "
                    "the shims reach it")]
