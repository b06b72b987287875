"""libFuzzer harnesses (fuzz/) for every parser of the shims: each is
built with clang-14 under ASan+UBSan, replays its regression inputs, then
fuzzes from its seed corpus for a bounded time.  Any crash, leak,
sanitizer report, timeout or out-of-memory fails the test.

CWRAP_FUZZ_SECONDS sets the time per harness (default 10)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, require_tool

FUZZ = REPO / "fuzz"
HARNESSES = re.search(r"^HARNESSES := (.*)$", (FUZZ / "Makefile").read_text(),
                      re.M).group(1).split()
SECONDS = int(os.environ.get("CWRAP_FUZZ_SECONDS", "10"))


@pytest.fixture(scope="module")
def fuzz_build():
    require_tool("clang-14")
    build = Path(tempfile.mkdtemp(prefix="cwfuzz-"))
    result = subprocess.run(["make", "-s", "-C", str(FUZZ), f"BUILD={build}", "-j2"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    yield build
    shutil.rmtree(build, ignore_errors=True)


def test_every_harness_has_a_seed_corpus():
    assert len(HARNESSES) >= 8
    for name in HARNESSES:
        assert (FUZZ / f"{name}.c").is_file()
        assert any((FUZZ / "corpus" / name).iterdir()), name


@pytest.mark.fuzz
@pytest.mark.parametrize("harness", HARNESSES)
def test_fuzz_harness(fuzz_build, harness, tmp_path):
    binary = fuzz_build / harness
    regressions = sorted((FUZZ / "regressions" / harness).glob("*")) \
        if (FUZZ / "regressions" / harness).is_dir() else []
    if regressions:
        replay = subprocess.run([str(binary), *map(str, regressions)],
                                capture_output=True, text=True, timeout=120)
        assert replay.returncode == 0, replay.stderr[-4000:]
    new = tmp_path / "new"
    new.mkdir()
    # The repository's corpus is read, never written: new inputs go to tmp.
    run = subprocess.run([str(binary), f"-max_total_time={SECONDS}", "-timeout=10",
                          "-rss_limit_mb=2048", "-print_final_stats=1",
                          f"-artifact_prefix={tmp_path}/", str(new),
                          str(FUZZ / "corpus" / harness)],
                         capture_output=True, text=True, timeout=SECONDS + 120)
    log = run.stderr
    assert run.returncode == 0, log[-4000:]
    for bad in ("ERROR: libFuzzer", "Sanitizer", "runtime error", "LeakSanitizer"):
        assert bad not in log, log[-4000:]
    execs = int(re.search(r"stat::number_of_executed_units: (\d+)", log).group(1))
    print(f"{harness}: {execs} executions in {SECONDS}s, no crash")
    assert execs > 1000
