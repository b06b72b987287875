"""Talking to the shims' exported helpers from Python (cffi, ABI mode).

A shim is opened with RTLD_LOCAL, so loading it here to ask its version
does not interpose anything in this Python process.  Inside a process that
runs with the shims preloaded, `preloaded()` answers the detection helpers
exactly as a C program that calls them would see them.
"""

from __future__ import annotations

from pathlib import Path

from cffi import FFI

_CDEF = """
    const char *cwrap_socket_version(void);
    const char *cwrap_nss_version(void);
    const char *cwrap_uid_version(void);
    bool socket_wrapper_enabled(void);
    void socket_wrapper_indicate_no_inet_fd(int fd);
    bool nss_wrapper_enabled(void);
    bool nss_wrapper_hosts_enabled(void);
    bool nss_wrapper_shadow_enabled(void);
    bool uid_wrapper_enabled(void);
"""

ffi = FFI()
ffi.cdef(_CDEF)

DETECTION_HELPERS = {
    "socket": ("socket_wrapper_enabled",),
    "nss": ("nss_wrapper_enabled", "nss_wrapper_hosts_enabled", "nss_wrapper_shadow_enabled"),
    "uid": ("uid_wrapper_enabled",),
}


def shim_version(shim: str, path: Path) -> str:
    lib = ffi.dlopen(str(path), ffi.RTLD_NOW | ffi.RTLD_LOCAL)
    try:
        return ffi.string(getattr(lib, f"cwrap_{shim}_version")()).decode()
    finally:
        ffi.dlclose(lib)


def preloaded_helpers() -> dict[str, bool | None]:
    """Each detection helper's answer in this process: None when no
    preloaded library defines it."""
    lib = ffi.dlopen(None)
    answers: dict[str, bool | None] = {}
    for names in DETECTION_HELPERS.values():
        for name in names:
            try:
                answers[name] = bool(getattr(lib, name)())
            except AttributeError:
                answers[name] = None
    return answers
