"""`cwrap run --backend namespaces|auto`, the probe's explanations and the
fallback of `auto`, as the unprivileged user."""

from __future__ import annotations

import errno

import pytest
from conftest import require_tool

import cwrap
from cwrap.namespaces import backend, network, probe

NO_USERNS = "echo 0 > /proc/sys/user/max_user_namespaces; "


def test_run_namespaces_static_server_and_curl(run_user, cwrap_cli, static_server):
    require_tool("curl")
    script = (f"{static_server} 127.0.0.10 80 1 2>/dev/null & "
              "for i in $(seq 100); do curl -s http://web.cwrap.test/ && exit 0; sleep 0.02; done; "
              "exit 1")
    result = run_user([*cwrap_cli, "run", "--backend", "namespaces", "--hostname", "box",
                       "--host", "web.cwrap.test=127.0.0.10", "--", "sh", "-c", script])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "static server box saw 127.0.0.10\n"


def test_run_exit_status_and_identity(run_user, cwrap_cli):
    result = run_user([*cwrap_cli, "run", "--backend", "namespaces", "--", "sh", "-c",
                       "id -u; exit 7"])
    assert (result.returncode, result.stdout) == (7, "0\n"), result.stderr


def test_run_auto_picks_namespaces_for_go_only(run_user, cwrap_cli, gofake):
    argv = ["--host", "db.cwrap.test=127.0.0.12", "--", str(gofake), "lookup", "db.cwrap.test"]
    auto = run_user([*cwrap_cli, "run", "--backend", "auto", *argv])
    assert (auto.returncode, auto.stdout) == (0, "127.0.0.12\n"), auto.stderr
    preload = run_user([*cwrap_cli, "run", *argv])
    assert preload.returncode == 1 and "no such host" in preload.stderr
    # A dynamic program under auto keeps the shims.
    dyn = run_user([*cwrap_cli, "run", "--backend", "auto", "--", "sh", "-c",
                    'case "$LD_PRELOAD" in *libcwrap_socket*) echo preload;; esac'])
    assert dyn.stdout == "preload\n", dyn.stderr


def test_unavailable_namespaces_are_explained(run_user, cwrap_cli):
    """user.max_user_namespaces is per user namespace: 0 in a namespace of
    our own stands for a machine where they are disabled."""
    cli = " ".join(cwrap_cli)
    failing = run_user(["unshare", "-r", "sh", "-c",
                        NO_USERNS + f"{cli} run --backend namespaces -- true"])
    assert failing.returncode == 125
    assert "user.max_user_namespaces=0" in failing.stderr
    assert "sysctl -w user.max_user_namespaces=" in failing.stderr
    auto = run_user(["unshare", "-r", "sh", "-c",
                     NO_USERNS + f"{cli} run --backend auto -- sh -c 'echo ran'"])
    assert auto.returncode == 0 and auto.stdout == "ran\n"
    assert "warning: the namespace backend is unavailable" in auto.stderr
    doctor = run_user(["unshare", "-r", "sh", "-c", NO_USERNS + f"{cli} doctor"])
    assert doctor.returncode == 0
    assert "warn  namespace backend: unshare failed (ENOSPC" in doctor.stdout


@pytest.mark.parametrize("knobs,step,err,phrase", [
    ({"/proc/sys/kernel/unprivileged_userns_clone": "0"}, "unshare", errno.EPERM,
     "sysctl -w kernel.unprivileged_userns_clone=1"),
    ({"/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1"}, "capability",
     errno.EPERM, "kernel.apparmor_restrict_unprivileged_userns=0"),
    ({"/proc/self/status": "Seccomp:\t2\n"}, "unshare", errno.EPERM,
     "--security-opt seccomp=unconfined"),
    ({}, "unshare", errno.EPERM, "check 'unshare -rn true'"),
])
def test_explanations(monkeypatch, knobs, step, err, phrase):
    monkeypatch.setattr(probe, "_read", knobs.get)
    assert phrase in probe.explain(step, err)


def test_auto_falls_back_with_a_warning(monkeypatch, capsys):
    monkeypatch.setattr(backend, "probe", lambda: probe.Probe(False, "AppArmor says no"))
    with cwrap.Environment(backend="auto", keep=False) as env:
        assert env.backend == "preload"
    assert "namespace backend is unavailable (AppArmor says no)" in capsys.readouterr().err
    with pytest.raises(cwrap.CwrapError, match="cannot work here: AppArmor says no"):
        cwrap.Environment(backend="namespaces").start()


def test_bad_backend_and_as_user(make_env, run_as):
    with pytest.raises(cwrap.ConfigError, match="backend 'kernel' is not valid"):
        cwrap.Environment(backend="kernel")
    env = make_env(backend="namespaces")
    env.add_user("alice")
    with pytest.raises(cwrap.ConfigError, match="runs every program as root"):
        env.run(["true"], as_user="alice", **run_as.kwargs())


def test_missing_pyroute2_is_explained(monkeypatch, capsys):
    monkeypatch.setattr(network, "have_pyroute2", lambda: False)
    with pytest.raises(cwrap.CwrapError, match=r"pip install 'cwrap-suite\[namespaces\]'"):
        cwrap.Environment(backend="namespaces").start()
    with cwrap.Environment(backend="auto", keep=False) as env:
        assert env.backend == "preload"
    assert "needs pyroute2" in capsys.readouterr().err
