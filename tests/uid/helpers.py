"""Shared by the UID shim's tests: how to run a program under the shim."""

from __future__ import annotations

import cwrap


def uid_lib() -> str:
    return str(cwrap.lib_path("uid"))


def uid_env(root: bool = True, **extra: str) -> dict[str, str]:
    env = {"LD_PRELOAD": uid_lib(), "UID_WRAPPER": "1"}
    if root:
        env["UID_WRAPPER_ROOT"] = "1"
    env.update(extra)
    return env


def parse_kv(text: str) -> dict[str, str]:
    """Lines of "key=value" (as the probes print them) into a dict."""
    out = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out
