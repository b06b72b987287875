"""The detection helpers answer as upstream cwrap's do, with the
variables set and unset, seen both from C and from Python (cffi)."""

from __future__ import annotations

import sys

import pytest

import cwrap

ALL_OFF = {"socket_wrapper_enabled": "0", "nss_wrapper_enabled": "0",
           "nss_wrapper_hosts_enabled": "0", "nss_wrapper_shadow_enabled": "0",
           "uid_wrapper_enabled": "0"}


def answers(run_user, probe, preload, env):
    result = run_user([str(probe)], env={"LD_PRELOAD": preload, **env})
    assert result.returncode == 0, result.stderr
    return dict(line.split("=") for line in result.stdout.split())


def all_shims() -> str:
    return ":".join(str(cwrap.lib_path(s)) for s in cwrap.SHIMS)


def test_without_shims_the_helpers_do_not_exist(run_user, probes):
    got = answers(run_user, probes("helpers_probe"), "", {})
    assert set(got.values()) == {"absent"}


def test_with_nothing_configured_every_helper_says_no(run_user, probes):
    assert answers(run_user, probes("helpers_probe"), all_shims(), {}) == ALL_OFF


@pytest.mark.parametrize("env,turned_on", [
    ({"SOCKET_WRAPPER_DIR": "{tmp}"}, ["socket_wrapper_enabled"]),
    ({"NSS_WRAPPER_PASSWD": "{tmp}/p", "NSS_WRAPPER_GROUP": "{tmp}/g"}, ["nss_wrapper_enabled"]),
    ({"NSS_WRAPPER_PASSWD": "{tmp}/p"}, []),            # both files are needed
    ({"NSS_WRAPPER_MODULE_SO_PATH": "/x.so", "NSS_WRAPPER_MODULE_FN_PREFIX": "x"},
     ["nss_wrapper_enabled"]),
    ({"NSS_WRAPPER_HOSTS": "{tmp}/h"}, ["nss_wrapper_hosts_enabled"]),
    ({"NSS_WRAPPER_SHADOW": "{tmp}/s"}, ["nss_wrapper_shadow_enabled"]),
    ({"UID_WRAPPER": "1"}, ["uid_wrapper_enabled"]),
    ({"UID_WRAPPER": "0"}, []),
])
def test_each_variable_turns_on_its_helper(run_user, probes, shared_tmp, env, turned_on):
    env = {k: v.format(tmp=shared_tmp) for k, v in env.items()}
    got = answers(run_user, probes("helpers_probe"), all_shims(), env)
    assert got == {**ALL_OFF, **{name: "1" for name in turned_on}}


def test_unusable_socket_dir_is_not_enabled_and_says_why(run_user, probes, shared_tmp):
    missing = shared_tmp / "missing"
    result = run_user([str(probes("helpers_probe"))],
                      env={"LD_PRELOAD": all_shims(), "SOCKET_WRAPPER_DIR": str(missing)})
    assert "socket_wrapper_enabled=0" in result.stdout
    assert f'SOCKET_WRAPPER_DIR="{missing}": No such file or directory' in result.stderr


def test_bad_uid_switch_is_named(run_user, probes):
    result = run_user([str(probes("helpers_probe"))],
                      env={"LD_PRELOAD": all_shims(), "UID_WRAPPER": "yes"})
    assert "uid_wrapper_enabled=0" in result.stdout
    assert 'UID_WRAPPER="yes" is not valid: expected 1 (on) or 0 (off)' in result.stderr


def test_python_sees_the_same_through_cffi(run_user, shared_tmp):
    code = ("from cwrap._ffi import preloaded_helpers;"
            "print(sorted(k for k, v in preloaded_helpers().items() if v))")
    result = run_user([sys.executable, "-c", code],
                      env={"LD_PRELOAD": all_shims(), "SOCKET_WRAPPER_DIR": str(shared_tmp),
                           "UID_WRAPPER": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['socket_wrapper_enabled', 'uid_wrapper_enabled']"
