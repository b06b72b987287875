"""Helpers shared by the namespace backend's tests."""

from __future__ import annotations

import subprocess
from typing import Any

CURL = ["curl", "-sS", "--max-time", "10"]


def run_plain(run_as: Any, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Runs argv as the unprivileged user without cwrap (the control run)."""
    from conftest import user_environ
    return subprocess.run(argv, env=user_environ(run_as), capture_output=True, text=True,
                          timeout=30, **run_as.kwargs(), **kwargs)
