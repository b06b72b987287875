"""Shared fixtures: an unprivileged user to run wrapped programs as, C
probes compiled for the tests, and the rule that a missing tool fails.

CI runs the suite as root.  Root can bind port 80 or call setuid() without
any shim, so every wrapped program here runs as a normal user (`run_as`),
and tests show the same outcome is impossible without the shim.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import cwrap
from cwrap.testing import RunAs, unprivileged

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"


def require_tool(name: str) -> str:
    """The path of a program the test needs.  A missing tool fails the test
    (it never skips): a green run that did not run the real programs
    proves nothing.  scripts/test-packages.txt lists what to install."""
    path = shutil.which(name, path=PATH)
    if path is None:
        pytest.fail(f"{name} is not installed: install the packages in "
                    "scripts/test-packages.txt (as .ci/run does)", pytrace=False)
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With CWRAP_NO_SKIPS=1 (as .ci/run sets it) any skipped test fails
    the run."""
    if os.environ.get("CWRAP_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\nCWRAP_NO_SKIPS=1: {skipped} test(s) skipped; failing the run",
              file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def run_as() -> RunAs:
    return unprivileged()


@pytest.fixture(scope="session")
def cwrap_cli() -> list[str]:
    """The installed `cwrap` command (of the venv running the tests)."""
    script = Path(sys.executable).parent / "cwrap"
    assert script.exists(), f"{script} missing: run the tests through scripts/test.sh"
    return [str(script)]


def user_environ(run_as: RunAs, **extra: str) -> dict[str, str]:
    env = {"PATH": PATH, "LANG": "C.UTF-8", **run_as.environ()}
    env.update(extra)
    return env


@pytest.fixture
def shared_tmp(run_as: RunAs) -> Iterator[Path]:
    """A temporary directory the unprivileged user owns."""
    path = Path(tempfile.mkdtemp(prefix="cwt-"))
    run_as.give(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def run_user(run_as: RunAs, shared_tmp: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """subprocess.run as the unprivileged user, text mode, output captured,
    with a clean environment (PATH, HOME, USER) plus `env`."""

    def run(argv: Sequence[str], env: dict[str, str] | None = None,
            **kwargs: Any) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("cwd", shared_tmp)
        return subprocess.run(list(argv), env=user_environ(run_as, **(env or {})),
                              **run_as.kwargs(), **kwargs)

    return run


@pytest.fixture
def make_env(run_as: RunAs) -> Iterator[Callable[..., cwrap.Environment]]:
    """Started Environments whose state directory belongs to the
    unprivileged user; closed (and removed) after the test."""
    made: list[cwrap.Environment] = []

    def factory(**options: Any) -> cwrap.Environment:
        options.setdefault("base_environ", user_environ(run_as))
        options.setdefault("keep", False)
        env = cwrap.Environment(**options)
        if run_as.dropping and env.nss is not None:
            # The default world holds the user who made the environment
            # (root here); the programs run as this user, so add it.
            env.add_user(run_as.name, run_as.uid, run_as.gid, home=str(run_as.home))
        env.start()
        run_as.give(env.dir)
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()


@pytest.fixture
def worker_port(request: pytest.FixtureRequest) -> Callable[[int], int]:
    """A base port for real-socket reference runs that differs per xdist
    worker, so parallel workers do not collide on real loopback ports."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker[2:] or 0) * 300 if worker.startswith("gw") else 0
    return lambda base: base + offset


@pytest.fixture(scope="session")
def probes(tmp_path_factory: pytest.TempPathFactory, run_as: RunAs) -> Callable[..., Path]:
    """Compiles tests/c/NAME.c once per session into a directory the
    unprivileged user can read; returns the binary's path."""
    out = Path(tempfile.mkdtemp(prefix="cwp-"))
    os.chmod(out, 0o755)
    built: dict[tuple[str, tuple[str, ...]], Path] = {}

    def build(name: str, *flags: str) -> Path:
        key = (name, flags)
        if key not in built:
            cc = os.environ.get("CC", "cc")
            binary = out / (name + ("-" + "-".join(f.strip("-") for f in flags) if flags else ""))
            subprocess.run([cc, "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
                            "-o", str(binary), str(TESTS / "c" / f"{name}.c"), *flags,
                            "-lpthread", "-ldl"], check=True)
            built[key] = binary
        return built[key]

    yield build
    shutil.rmtree(out, ignore_errors=True)
