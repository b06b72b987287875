"""The README's main job (scripts/demo.sh runs this same script)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_demo_passes():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "demo.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Permission denied" in result.stdout
    assert "200 hello from 127.0.0.10:80, a fake host" in result.stdout
    assert "demo passed" in result.stdout
