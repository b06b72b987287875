"""Configuration of the UID shim, as upstream uid_wrapper's variables."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UidConfig:
    """root: start as uid 0 / gid 0 (UID_WRAPPER_ROOT=1); otherwise the
    process starts with its real ids and may switch among them as the
    kernel's rules allow.  myuid: geteuid() reports the real uid
    (UID_WRAPPER_MYUID=1), for programs that refuse to run as root."""

    root: bool = False
    myuid: bool = False

    def variables(self) -> dict[str, str]:
        out = {"UID_WRAPPER": "1"}
        if self.root:
            out["UID_WRAPPER_ROOT"] = "1"
        if self.myuid:
            out["UID_WRAPPER_MYUID"] = "1"
        return out
