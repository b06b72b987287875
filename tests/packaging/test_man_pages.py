"""The manual pages render without warnings, are indexed by their NAME
lines, and document every variable of each shim and every option of the
cwrap command."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, require_tool

from .helpers import check, run

MAN = REPO / "man"
PAGES = ["cwrap.1", "cwrap-socket.7", "cwrap-nss.7", "cwrap-uid.7"]


@pytest.mark.parametrize("page", PAGES)
def test_renders_without_warnings(page):
    path = str(MAN / page)
    groff = run([require_tool("groff"), "-man", "-z", "-wall", "-ww", path])
    assert groff.returncode == 0 and groff.stderr == "", groff.stderr
    man = run([require_tool("man"), "--warnings", "-l", "-Tutf8", path])
    assert man.returncode == 0 and man.stderr == "", man.stderr
    names = check(run([require_tool("lexgrog"), path]))
    assert f'"{page.rsplit(".", 1)[0]} - ' in names


def _variables(doc: str) -> set[str]:
    """Variables in the first column of a docs/*.md variables table."""
    found = set()
    for line in (REPO / "docs" / doc).read_text().splitlines():
        if line.startswith("|"):
            first = line.split("|")[1]
            found |= set(re.findall(r"`([A-Z][A-Z0-9_]+_[A-Z0-9_]+)`", first))
    return found


@pytest.mark.parametrize("shim", ["socket", "nss", "uid"])
def test_every_variable_is_documented(shim):
    text = (MAN / f"cwrap-{shim}.7").read_text().replace("\\-", "-")
    variables = _variables(f"{shim}.md")
    assert len(variables) >= 8
    missing = sorted(v for v in variables if v not in text)
    assert not missing, f"cwrap-{shim}.7 lacks {missing}"
    assert f"cwrap_{shim}_version" in text


def test_every_command_and_option_is_documented(cwrap_cli):
    text = (MAN / "cwrap.1").read_text().replace("\\-", "-")
    top = check(run([*cwrap_cli, "--help"]))
    commands = re.findall(r"^  (\w+)  ", top.split("Commands:")[1], re.M)
    assert {"run", "env", "lib", "doctor"} <= set(commands)
    for command in commands:
        assert re.search(rf"^\.B[IR]? \"?{command}\b", text, re.M), command
        helptext = check(run([*cwrap_cli, command, "--help"]))
        for option in set(re.findall(r"^\s+(--[a-z][a-z0-9-]*)", helptext, re.M)):
            assert option in text, f"cwrap.1 lacks {command} {option}"
    for option in re.findall(r"^\s+(--[a-z][a-z0-9-]*)", top, re.M):
        assert option in text
