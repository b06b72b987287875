"""The shim answers exactly as glibc does.

The same corpus (tests/nss/corpus.py: comments, blank and malformed
lines, duplicates, upper case, compat entries, big and odd ids, a group
of 3000 members, aliases, several addresses per name over several
lines, IPv4, IPv6, IPv4-mapped, link-local, trailing dots, unknown names
and ids) is put in place of /etc's files in a private mount namespace
for glibc, and named by NSS_WRAPPER_* for the shim.  getent (every
database), id, Python's pwd/grp/socket and a C probe (the _r and non-_r
calls, errno and h_errno, getgrouplist, getaddrinfo over flags, families,
socket types, protocols and services, getnameinfo over flags and buffer
sizes) must print the same bytes.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import cwrap

from conftest import require_tool, user_environ

from . import differential


@pytest.fixture(scope="module")
def answers(probes, run_as):
    if os.geteuid() != 0:
        pytest.skip(reason="the glibc side needs root (unshare --mount, bind mounts), as in CI")
    require_tool("unshare")
    require_tool("getent")
    where = Path(tempfile.mkdtemp(prefix="cwt-nss-diff-"))
    os.chmod(where, 0o755)
    files, script = differential.prepare(where, probes("nss_probe"))
    glibc = differential.glibc_answers(files, script)
    env = user_environ(run_as, **differential.shim_environ(files, cwrap.lib_path("nss")))
    result = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True,
                            cwd=where, timeout=600, **run_as.kwargs())
    assert result.returncode == 0, result.stderr
    shim = differential.split(result.stdout)
    yield glibc, shim
    shutil.rmtree(where, ignore_errors=True)


def _diff(a: str, b: str) -> str:
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), "glibc", "shim",
                                          lineterm="", n=1))[:4000]


@pytest.mark.parametrize("kind", ["getent", "id", "python", "probe"])
def test_same_answers_as_glibc(answers, kind):
    glibc, shim = answers
    labels = [k for k in glibc if k.split(" ")[0] == kind]
    assert labels, f"no {kind} questions were asked"
    differing = [k for k in labels if glibc[k] != shim.get(k)]
    detail = "\n".join(f"### {k}\n{_diff(glibc[k], shim.get(k, ''))}" for k in differing[:5])
    assert not differing, f"{len(differing)} of {len(labels)} answers differ:\n{detail}"


def test_the_corpus_is_really_looked_at(answers):
    """The comparison is not vacuous: the corpus's own entries come back."""
    glibc, shim = answers
    assert "alice:x:1000:1000:Alice Liddell,,,:/home/alice:/bin/bash" in shim["getent passwd alice"]
    assert "gen2999" in shim["getent group huge"]
    assert "10.0.0.1" in shim["getent ahosts web"]
    assert "uid=1000(alice)" in shim["id alice"]
    assert shim["getent passwd nosuchuser"].strip() == "rc=2"


def test_without_the_shim_the_corpus_is_unknown(run_user):
    """As the unprivileged user, without the shim, the made-up names do not exist."""
    assert run_user(["getent", "passwd", "gen5"]).returncode == 2
    assert run_user(["getent", "group", "huge"]).returncode == 2
    assert run_user(["getent", "hosts", "web.example.com"]).returncode == 2
