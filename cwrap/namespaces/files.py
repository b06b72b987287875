"""Which files the namespace's mount namespace shows over /etc.

The environment's passwd, group and hosts (the NSS shim's files) cover
/etc's, so programs that read the files themselves — static binaries,
Go's resolver — see the same made-up world.  nsswitch.conf is replaced
by one that answers from those files only (no DNS, no systemd, no LDAP):
the fake world is sealed as under the NSS shim.
"""

from __future__ import annotations

from pathlib import Path

from ..nss.files import write_atomically

NSSWITCH = """\
# cwrap namespace backend: the environment's own files, nothing else
passwd:     files
group:      files
shadow:     files
hosts:      files
networks:   files
protocols:  files
services:   files
ethers:     files
rpc:        files
netgroup:   files
"""


def overlays(state_dir: Path, variables: dict[str, str],
             hostname: str | None) -> list[tuple[str, str]]:
    """(source in the state directory, target under /etc) pairs; writes
    the files that are the backend's own (nsswitch.conf, hostname)."""
    own = state_dir / "ns"
    own.mkdir(exist_ok=True)
    pairs = []
    for variable, target in (("NSS_WRAPPER_PASSWD", "/etc/passwd"),
                             ("NSS_WRAPPER_GROUP", "/etc/group"),
                             ("NSS_WRAPPER_SHADOW", "/etc/shadow"),
                             ("NSS_WRAPPER_HOSTS", "/etc/hosts")):
        if variable in variables:
            pairs.append((variables[variable], target))
    write_atomically(own / "nsswitch.conf", NSSWITCH)
    pairs.append((str(own / "nsswitch.conf"), "/etc/nsswitch.conf"))
    if hostname is not None:
        write_atomically(own / "hostname", hostname + "\n")
        pairs.append((str(own / "hostname"), "/etc/hostname"))
    return [(src, dst) for src, dst in pairs if Path(dst).exists()]
