"""The C probes again, under the UID shim built with ASan and UBSan (run
as LD_PRELOAD="libasan libubsan shim"): any memory error, leak report or
undefined behaviour fails the run."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from .test_differential import HANDWRITTEN, run_reference, sequences

REPO = Path(__file__).resolve().parents[2]


def runtime(name: str) -> str:
    cc = os.environ.get("CC", "cc")
    path = subprocess.run([cc, f"-print-file-name={name}"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert os.path.isabs(path), f"{cc} has no {name}: install gcc's sanitizer runtimes"
    return path


@pytest.fixture(scope="module")
def asan_env():
    build = Path(tempfile.mkdtemp(prefix="cwasan-"))
    os.chmod(build, 0o755)
    subprocess.run(["make", "-s", "-C", str(REPO / "csrc"), "SANITIZE=address,undefined",
                    f"BUILD={build}", str(build / "libcwrap_uid.so")], check=True)
    preload = " ".join([runtime("libasan.so"), runtime("libubsan.so"),
                        str(build / "libcwrap_uid.so")])
    yield {"LD_PRELOAD": preload, "UID_WRAPPER": "1", "UID_WRAPPER_ROOT": "1",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
           "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=98"}


def test_sequences_under_sanitizers(run_user, probes, asan_env):
    probe = probes("uid_seq")
    text = "\n".join(HANDWRITTEN + sequences(99, 300)) + "\n"
    want = run_reference(probe, text)
    got = run_user([str(probe)], env=asan_env, input=text, timeout=300)
    assert got.returncode == 0, got.stderr[-3000:]
    assert got.stdout == want
    assert "Sanitizer" not in got.stderr and "runtime error" not in got.stderr


@pytest.mark.parametrize("argv", [["uid_threads"], ["uid_spawn", "fork"],
                                  ["uid_spawn", "vfork-exec"], ["uid_spawn", "posix_spawn"],
                                  ["uid_spawn", "system"], ["uid_spawn", "execle"],
                                  ["uid_spawn", "thread"], ["uid_misc", "drop"], ["uid_race"],
                                  ["uid_misc", "initgroups", "root", "5"]])
def test_probes_under_sanitizers(run_user, probes, asan_env, argv):
    probe = str(probes(argv[0]))
    got = run_user([probe, *argv[1:]], env=asan_env)
    assert got.returncode == 0, got.stderr[-3000:]
    assert "Sanitizer" not in got.stderr and "runtime error" not in got.stderr
    if argv[0] == "uid_race":
        assert got.stdout.endswith(" bad=0\n")
        return
    want = subprocess.run([probe, *argv[1:]], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    if argv[0] not in ("uid_misc", "uid_race"):
        assert got.stdout == want.stdout
