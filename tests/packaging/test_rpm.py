"""packaging/rpm: the Fedora spec parses with rpmspec (Debian's rpm, with
stand-ins for Fedora's macros), builds three packages of the right
version, uses the pyproject macros, and its %check preloads each shim into
a real program."""

from __future__ import annotations

import re

from conftest import REPO, require_tool

from .helpers import VERSION, check, run

SPEC = REPO / "packaging" / "rpm" / "cwrap-suite.spec"
STUBS = REPO / "packaging" / "rpm" / "ci-stub.macros"


def _rpmspec(*args: str) -> str:
    result = run([require_tool("rpmspec"), "--load", str(STUBS), *args, str(SPEC)])
    out = check(result)
    assert "warning" not in result.stderr and "error" not in result.stderr, result.stderr
    return out


def test_spec_parses_and_uses_pyproject_macros():
    parsed = _rpmspec("--parse")
    source = SPEC.read_text()
    for macro in ("%pyproject_buildrequires", "%pyproject_wheel", "%pyproject_install",
                  "%pyproject_save_files -l cwrap", "%pyproject_check_import",
                  "%generate_buildrequires"):
        assert macro in source, macro
    assert "export CWRAP_SYSTEM_LIBDIR=/usr/lib64/cwrap-suite" in parsed
    assert "SHIMDIR=/usr/lib64/cwrap-suite" in parsed


def test_spec_packages_and_version():
    names = _rpmspec("-q", "--qf", "%{name} %{version}\\n").split()
    pairs = set(zip(names[::2], names[1::2]))
    assert pairs == {("python-cwrap-suite", VERSION), ("cwrap-suite-shims", VERSION),
                     ("python3-cwrap-suite", VERSION)}


def test_check_preloads_each_shim_into_a_real_program():
    parsed = _rpmspec("--parse")
    check_section = parsed.split("\n%check\n", 1)[1].split("\n%files", 1)[0]
    for shim, program in (("uid", "id -u"), ("socket", "bash -c"), ("nss", "id -u fake")):
        assert re.search(rf"LD_PRELOAD=\$shims/libcwrap_{shim}\.so.*\n?.*{program}",
                         check_section), shim
