"""Configuration of the UID shim, as upstream uid_wrapper's variables plus
this suite's own (initial ids, chroot)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError

MAX_ID = 4294967294          # (uid_t)-1 means "unchanged" to the kernel
MAX_GROUPS = 65536           # the kernel's NGROUPS_MAX


def _check_id(what: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ConfigError(f"{what} {value!r} is not valid: expected a whole number "
                          f"from 0 to {MAX_ID}")
    return value


def parse_identity(text: str) -> tuple[int, int | None]:
    """ "UID" or "UID:GID" (decimal) into (uid, gid or None)."""
    uid_text, sep, gid_text = text.partition(":")
    try:
        uid = _check_id("uid", int(uid_text, 10)) if uid_text.isdigit() else None
        gid = _check_id("gid", int(gid_text, 10)) if gid_text.isdigit() else None
    except ConfigError:
        uid = gid = None
    if uid is None or (sep and gid is None):
        raise ConfigError(f"{text!r} is not valid: expected UID or UID:GID, whole "
                          f"numbers from 0 to {MAX_ID}")
    return uid, gid


@dataclass
class UidConfig:
    """How the UID shim starts a program.

    root: start as uid 0 / gid 0 with groups [0] (UID_WRAPPER_ROOT=1);
    otherwise the process starts with its real ids and may switch among
    them as the kernel's rules allow.  uid / gid: start as this uid or gid
    instead (all of real, effective, saved and fs; a gid also becomes the
    only group); groups: the supplementary groups ([] for none).  myuid:
    geteuid() reports the real uid (UID_WRAPPER_MYUID=1), for programs
    that refuse to run as root.  chroot: a fake root's chroot() succeeds
    without effect (True, the default) or goes to the kernel (False).
    """

    root: bool = False
    myuid: bool = False
    uid: int | None = None
    gid: int | None = None
    groups: Sequence[int] | None = None
    chroot: bool = True

    def __post_init__(self) -> None:
        if self.uid is not None:
            _check_id("uid", self.uid)
        if self.gid is not None:
            _check_id("gid", self.gid)
        if self.groups is not None:
            self.groups = [_check_id("group", g) for g in self.groups]
            if len(self.groups) > MAX_GROUPS:
                raise ConfigError(f"{len(self.groups)} groups are too many: the "
                                  f"kernel takes at most {MAX_GROUPS}")

    def variables(self) -> dict[str, str]:
        out = {"UID_WRAPPER": "1"}
        if self.root:
            out["UID_WRAPPER_ROOT"] = "1"
        if self.myuid:
            out["UID_WRAPPER_MYUID"] = "1"
        if self.uid is not None:
            out["UID_WRAPPER_INITIAL_UID"] = str(self.uid)
        if self.gid is not None:
            out["UID_WRAPPER_INITIAL_GID"] = str(self.gid)
        if self.groups is not None:
            out["UID_WRAPPER_INITIAL_GROUPS"] = ",".join(map(str, self.groups)) or "-"
        if not self.chroot:
            out["UID_WRAPPER_CHROOT"] = "0"
        return out
