"""Programs LD_PRELOAD cannot reach, built once per session: a statically
linked C server and a pure-Go program (CGO_ENABLED=0: Go's own resolver
and system calls)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require_tool

SRC = Path(__file__).resolve().parent / "src"


@pytest.fixture(scope="session")
def build_dir() -> Iterator[Path]:
    out = Path(tempfile.mkdtemp(prefix="cwns-"))
    os.chmod(out, 0o755)
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="session")
def static_server(build_dir: Path) -> Path:
    cc = require_tool(os.environ.get("CC", "cc"))
    binary = build_dir / "static_http"
    subprocess.run([cc, "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o", str(binary),
                    str(SRC / "static_http.c")], check=True)
    return binary


@pytest.fixture(scope="session")
def gofake(build_dir: Path) -> Path:
    go = require_tool("go")
    binary = build_dir / "gofake"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(build_dir),
           "CGO_ENABLED": "0", "GOCACHE": str(build_dir / "gocache"),
           "GOPATH": str(build_dir / "gopath"), "GOFLAGS": "-mod=mod", "GO111MODULE": "off"}
    subprocess.run([go, "build", "-o", str(binary), str(SRC / "gofake.go")], check=True,
                   env=env, cwd=build_dir)
    return binary
