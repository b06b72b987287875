"""Runs the same questions against glibc (the corpus bind-mounted over
/etc in a private mount namespace, nsswitch.conf saying `files`) and
against the NSS shim (the corpus named by NSS_WRAPPER_*), and returns
both answers, split per question."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from . import corpus

NSSWITCH = """\
passwd: files
group: files
shadow: files
hosts: files
services: files
protocols: files
"""


def write_corpus(where: Path) -> dict[str, Path]:
    files = {"passwd": corpus.passwd(), "group": corpus.group(), "shadow": corpus.shadow(),
             "hosts": corpus.hosts(), "nsswitch.conf": NSSWITCH}
    out = {}
    for name, text in files.items():
        path = where / name
        path.write_text(text)
        path.chmod(0o644)
        out[name] = path
    return out


def script(probe: Path, python: str, python_code: Path) -> str:
    lines = []

    def run(label: str, argv: list[str]) -> None:
        cmd = " ".join(shlex.quote(a) for a in argv)
        lines.append(f"echo {shlex.quote('=== ' + label)}; {cmd} 2>/dev/null; echo \"rc=$?\"")

    for query in corpus.GETENT:
        run("getent " + query, ["getent", *query.split(" ")])
    for user in corpus.ID_USERS:
        run("id " + user, ["id", user])
        run("id -G " + user, ["id", "-G", user])
        run("id -Gn " + user, ["id", "-Gn", user])
    run("python", [python, str(python_code)])
    queries = corpus.probe_queries()
    for start in range(0, len(queries), 200):
        run(f"probe {start}", [str(probe), *queries[start:start + 200]])
    return "\n".join(lines) + "\n"


def split(output: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    label = None
    for line in output.splitlines(keepends=True):
        if line.startswith("=== "):
            label = line[4:].rstrip("\n")
            parts[label] = ""
        elif label is not None:
            parts[label] += line
    return parts


def prepare(where: Path, probe: Path) -> tuple[dict[str, Path], Path]:
    files = write_corpus(where)
    code = where / "questions.py"
    code.write_text(corpus.PYTHON)
    code.chmod(0o644)
    sh = where / "questions.sh"
    sh.write_text(script(probe, sys.executable, code))
    sh.chmod(0o755)
    return files, sh


def glibc_answers(files: dict[str, Path], sh: Path) -> dict[str, str]:
    binds = "; ".join(f"mount --bind {shlex.quote(str(files[name]))} /etc/{name}"
                      for name in ("passwd", "group", "shadow", "hosts", "nsswitch.conf"))
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             f"set -e; {binds}; set +e; sh {shlex.quote(str(sh))}"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return split(result.stdout)


def shim_environ(files: dict[str, Path], lib: Path) -> dict[str, str]:
    return {"LD_PRELOAD": str(lib), "NSS_WRAPPER_PASSWD": str(files["passwd"]),
            "NSS_WRAPPER_GROUP": str(files["group"]), "NSS_WRAPPER_SHADOW": str(files["shadow"]),
            "NSS_WRAPPER_HOSTS": str(files["hosts"])}
