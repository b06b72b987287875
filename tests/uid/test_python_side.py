"""cwrap.uid, cwrap.Environment(uid=..., root=...) and `cwrap run --uid
--root --as UID[:GID]`."""

from __future__ import annotations

import pytest

import cwrap
from cwrap.errors import ConfigError
from cwrap.uid import UidConfig, parse_identity


def test_config_variables():
    assert UidConfig().variables() == {"UID_WRAPPER": "1"}
    assert UidConfig(root=True, myuid=True).variables() == {
        "UID_WRAPPER": "1", "UID_WRAPPER_ROOT": "1", "UID_WRAPPER_MYUID": "1"}
    assert UidConfig(uid=1000, gid=100, groups=[100, 27], chroot=False).variables() == {
        "UID_WRAPPER": "1", "UID_WRAPPER_INITIAL_UID": "1000",
        "UID_WRAPPER_INITIAL_GID": "100", "UID_WRAPPER_INITIAL_GROUPS": "100,27",
        "UID_WRAPPER_CHROOT": "0"}
    assert UidConfig(groups=[]).variables()["UID_WRAPPER_INITIAL_GROUPS"] == "-"


@pytest.mark.parametrize("bad", [dict(uid=-1), dict(uid=2**32 - 1), dict(gid="5"),
                                 dict(groups=[1, -2]), dict(uid=True)])
def test_config_rejects_ids_the_kernel_would(bad):
    with pytest.raises(ConfigError, match="is not valid"):
        UidConfig(**bad)


def test_parse_identity():
    assert parse_identity("1000") == (1000, None)
    assert parse_identity("0:0") == (0, 0)
    for bad in ("", "x", "1:", ":1", "1:2:3", "-1", "4294967295", "1:g"):
        with pytest.raises(ConfigError, match="expected UID or UID:GID"):
            parse_identity(bad)


def test_environment_root(make_env, run_as):
    env = make_env(socket=False, nss=False, uid=True, root=True)
    assert env.shims == ["uid"]
    assert env.variables["UID_WRAPPER_ROOT"] == "1"
    got = env.run(["id"], capture_output=True, text=True, **run_as.kwargs())
    assert got.stdout.strip() == "uid=0(root) gid=0(root) groups=0(root)"


def test_environment_initial_ids_and_groups(make_env, run_as):
    env = make_env(socket=False, nss=False, uid=UidConfig(uid=4321, gid=321, groups=[5, 6]))
    got = env.run(["id"], capture_output=True, text=True, **run_as.kwargs())
    assert got.stdout.strip() == "uid=4321 gid=321 groups=321,5(tty),6(disk)"
    plain = cwrap.Environment(socket=False, nss=False, uid=False)
    assert plain.shims == []


def test_cli_root_and_as(run_user, cwrap_cli):
    got = run_user([*cwrap_cli, "run", "--uid", "--root", "--", "id", "-u"])
    assert (got.returncode, got.stdout) == (0, "0\n"), got.stderr
    got = run_user([*cwrap_cli, "run", "--as", "1234:55", "--", "id"])
    assert got.stdout.strip() == "uid=1234 gid=55 groups=55", got.stderr
    got = run_user([*cwrap_cli, "run", "--as", "1234", "--", "id", "-u"])
    assert got.stdout == "1234\n"
    got = run_user([*cwrap_cli, "run", "--as", "root", "--", "id"])
    assert got.returncode == 125      # cwrap's own failure, not the command's
    assert "--as" in got.stderr and "expected UID or UID:GID" in got.stderr
    without = run_user(["id", "-u"])
    assert without.stdout != "0\n"
