"""The tutorial's example test passes as written (docs/tutorial.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys

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
