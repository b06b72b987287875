"""Shared by the packaging tests: a copy of the source tree as a
distribution gets it, and the version every recipe must carry."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

from conftest import PATH, REPO

VERSION = (REPO / "VERSION").read_text().strip()
ENV = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": "/root"}


def source_files() -> list[str]:
    """The files of the tree (tracked, and new ones not ignored): what a
    clean clone or a release tarball holds, without build products."""
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(name for name in out.split("\0") if name and (REPO / name).is_file())


def copy_tree(dest: Path) -> Path:
    for name in source_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return dest


def release_tarball(dest_dir: Path) -> Path:
    """cwrap-suite-VERSION.tar.gz with the top directory cwrap-suite-VERSION/,
    as a release would be."""
    top = f"cwrap-suite-{VERSION}"
    path = dest_dir / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in source_files():
            tar.add(REPO / name, arcname=f"{top}/{name}")
    return path


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("env", ENV)
    return subprocess.run(argv, **kwargs)


def check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (f"{result.args} exited {result.returncode}\n"
                                    f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return result.stdout
