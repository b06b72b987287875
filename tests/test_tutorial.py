"""The tutorial's example test passes as written (docs/tutorial.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, user_environ


def test_tutorial_example_passes(run_as, shared_tmp):
    example = shared_tmp / "pytest"
    shutil.copytree(REPO / "examples" / "pytest", example)
    run_as.give(example)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(example)], cwd=shared_tmp, capture_output=True, text=True,
                            env=user_environ(run_as), timeout=120, **run_as.kwargs())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_tutorial_capture_reads_cleanly_in_tshark(run_as, run_user, shared_tmp, cwrap_cli):
    """What section 6 shows: the kept capture of the tutorial's exchange."""
    from pcaptools import problems
    example = shared_tmp / "pytest"
    shutil.copytree(REPO / "examples" / "pytest", example)
    (example / "test_echo.py").write_text((example / "test_echo.py").read_text()
                                          + "    assert False, 'keep the capture'\n")
    run_as.give(example)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-rA", str(example)], cwd=shared_tmp, capture_output=True,
                            text=True, env=user_environ(run_as), timeout=120, **run_as.kwargs())
    kept = [line.split("capture kept: ")[1].strip() for line in result.stdout.splitlines()
            if "capture kept: " in line]
    assert kept, result.stdout
    # One RST really happened: the client tried the name's IPv6 address
    # first, where nothing listens (the server is IPv4 only).
    assert problems(kept[0]) == ["Warns: TCP Connection reset (RST) (x1)"]
    flows = run_user([*cwrap_cli, "pcap", kept[0]])
    assert flows.returncode == 0 and ":7" in flows.stdout
    shutil.rmtree(Path(kept[0]).parent, ignore_errors=True)
