"""pytest fixtures for cwrap (registered through the pytest11 entry point).

`cwrap_env`: a started Environment for one test.  `cwrap_env_factory` (session scope):
makes as many Environments as tests want, closed at the end of the session.
Configure `cwrap_env` with a marker::

    @pytest.mark.cwrap(socket=True, nss=False, root=True)
    def test_server(cwrap_env): ...

The state directory of a failed test is kept and its path is added to the
test's report.  Every environment has a directory of its own (mkdtemp), so
pytest-xdist workers share nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .environment import Environment


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cwrap(**options): options for the cwrap_env fixture "
        "(the arguments of cwrap.Environment)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_failed_key] = report.failed


_failed_key = pytest.StashKey[bool]()


def _close(env: Environment, request: pytest.FixtureRequest) -> None:
    failed = request.node.stash.get(_failed_key, False)
    path = env._dir
    capture = env.capture_path if path is not None else None
    env.close(failed=failed)
    if failed and capture is not None and capture.exists():
        request.node.user_properties.append(("cwrap_capture", str(capture)))
        request.node.add_report_section("teardown", "cwrap", f"capture kept: {capture}")
    if failed and path is not None and path.exists():
        request.node.user_properties.append(("cwrap_dir", str(path)))
        request.node.add_report_section("teardown", "cwrap", f"state directory kept: {path}")


@pytest.fixture
def cwrap_env(request: pytest.FixtureRequest) -> Iterator[Environment]:
    marker = request.node.get_closest_marker("cwrap")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    env = Environment(**options)
    env.start()
    yield env
    _close(env, request)


@pytest.fixture(scope="session")
def cwrap_env_factory() -> Iterator[Callable[..., Environment]]:
    """Makes started Environments that live until the end of the session
    (for fake worlds that are expensive to set up and shared by tests)."""
    made: list[Environment] = []

    def factory(**options: Any) -> Environment:
        env = Environment(**options)
        env.start()
        made.append(env)
        return env

    yield factory
    for env in made:
        env.close()
