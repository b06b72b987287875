"""One version: the VERSION file, `cwrap --version`, the shims (their
version function and their debug output) and every recipe."""

from __future__ import annotations

import re
import subprocess

import pytest

import cwrap
from conftest import REPO

from .helpers import VERSION, check, run


def test_command_and_shims_agree(cwrap_cli):
    assert check(run([*cwrap_cli, "--version"])).strip() == f"cwrap {VERSION}"
    assert cwrap.__version__ == VERSION


@pytest.mark.parametrize("shim", cwrap.SHIMS)
def test_shim_logs_its_version_at_debug_level(shim):
    prefix = {"socket": "SOCKET_WRAPPER", "nss": "NSS_WRAPPER", "uid": "UID_WRAPPER"}[shim]
    env = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": str(cwrap.lib_path(shim)),
           f"{prefix}_DEBUGLEVEL": "debug"}
    result = subprocess.run(["/bin/true"], env=env, capture_output=True, text=True)
    assert re.search(rf"^true\[\d+\]: cwrap-{shim} debug: cwrap-suite {re.escape(VERSION)}$",
                     result.stderr, re.M), result.stderr
    quiet = subprocess.run(["/bin/true"], env={**env, f"{prefix}_DEBUGLEVEL": "warn"},
                           capture_output=True, text=True)
    assert quiet.stderr == ""


RECIPES = {
    "packaging/debian/changelog": rf"^cwrap-suite \(({re.escape(VERSION)})-\d+\)",
    "packaging/rpm/cwrap-suite.spec": r"^Version:\s+(\S+)$",
    "packaging/arch/PKGBUILD": r"^pkgver=(\S+)$",
    "packaging/alpine/APKBUILD": r"^pkgver=(\S+)$",
    "packaging/nix/default.nix": r'^\s*version = "([^"]+)";',
}


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipes_carry_the_version(recipe):
    found = re.search(RECIPES[recipe], (REPO / recipe).read_text(), re.M)
    assert found and found.group(1) == VERSION, f"{recipe}: update it to {VERSION}"
