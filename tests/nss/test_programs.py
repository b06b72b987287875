"""Real programs in a made-up world, run as a normal user, built with the
Python API (Environment.add_user/add_group/add_host) and the CLI."""

from __future__ import annotations

import os
import sys

import pytest

import cwrap
from cwrap.errors import ConfigError
from cwrap.nss import Group, Host, NssConfig, User
from conftest import require_tool

SHADOW = "alice:$6$x$y:19000:0:99999:7:::\n"


@pytest.fixture
def world(make_env, shared_tmp):
    shadow = shared_tmp / "shadow"
    shadow.write_text(SHADOW)
    env = make_env(socket=False, uid=False, nss=NssConfig(shadow=shadow))
    env.add_group("devs", 2000)
    env.add_user("alice", 1500, groups=["devs"], gecos="Alice", home="/home/alice")
    env.add_user("bob", 1501, home="/home/bob")
    env.add_group("ops", 2001, members=["bob", "alice"])
    env.add_host("web.fake.test", "10.53.57.5", "fd00:53::5", aliases=["web"])
    return env


def run(env, run_as, argv, **kwargs):
    require_tool(argv[0])
    return env.run(argv, capture_output=True, text=True, timeout=60, **run_as.kwargs(),
                   **kwargs)


def test_getent_answers_every_database(world, run_as):
    assert run(world, run_as, ["getent", "passwd", "alice"]).stdout == \
        "alice:x:1500:1500:Alice:/home/alice:/bin/sh\n"
    assert run(world, run_as, ["getent", "group", "devs"]).stdout == "devs:x:2000:alice\n"
    assert run(world, run_as, ["getent", "shadow", "alice"]).stdout == SHADOW
    assert run(world, run_as, ["getent", "hosts", "web"]).stdout.split() == \
        ["fd00:53::5", "web.fake.test", "web"]
    assert run(world, run_as, ["getent", "ahostsv4", "web"]).stdout.split()[:3] == \
        ["10.53.57.5", "STREAM", "web.fake.test"]
    assert run(world, run_as, ["getent", "initgroups", "alice"]).stdout.split() == \
        ["alice", "2000", "2001"]
    names = [line.split(":")[0] for line in
             run(world, run_as, ["getent", "passwd"]).stdout.splitlines()]
    assert names[:2] == ["root", "nobody"] and names[-2:] == ["alice", "bob"]


def test_id(world, run_as):
    assert run(world, run_as, ["id", "alice"]).stdout == \
        "uid=1500(alice) gid=1500(alice) groups=1500(alice),2000(devs),2001(ops)\n"
    assert run(world, run_as, ["id", "-G", "bob"]).stdout == "1501 2001\n"
    assert run(world, run_as, ["id", "-Gn", "bob"]).stdout == "bob ops\n"


def test_ls_shows_made_up_owners(world, run_as, run_user):
    path = world.dir / "owned"
    path.write_text("x")
    os.chown(path, 1500, 2000)      # the test runs as root; the program does not
    assert run(world, run_as, ["ls", "-l", str(path)]).stdout.split()[2:4] == ["alice", "devs"]
    assert run_user(["ls", "-l", str(path)]).stdout.split()[2:4] == ["1500", "2000"]


def test_bash_tilde_expands_to_the_fake_home(world, run_as, run_user):
    assert run(world, run_as, ["bash", "-c", "echo ~alice ~bob"]).stdout == \
        "/home/alice /home/bob\n"
    assert run_user(["bash", "-c", "echo ~alice"]).stdout == "~alice\n"


def test_python_pwd_grp_socket(world, run_as):
    code = ("import pwd, grp, socket\n"
            "print(pwd.getpwnam('alice').pw_uid, pwd.getpwuid(1501).pw_name)\n"
            "print(grp.getgrnam('ops').gr_mem, grp.getgrgid(2000).gr_name)\n"
            "print(socket.gethostbyname('web'))\n"
            "print(sorted({a[4][0] for a in socket.getaddrinfo('web.fake.test', 80)}))\n"
            "print(socket.gethostbyaddr('10.53.57.5')[0])\n")
    result = run(world, run_as, [sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1500 bob", "['bob', 'alice'] devs", "10.53.57.5",
        "['10.53.57.5', 'fd00:53::5']", "web.fake.test"]


def test_users_added_after_start_are_seen_by_new_lookups(world, run_as):
    assert run(world, run_as, ["getent", "passwd", "carol"]).returncode == 2
    world.add_user("carol")
    assert run(world, run_as, ["getent", "passwd", "carol"]).stdout.startswith("carol:x:1000:")
    world.add_host("db.fake.test", "10.53.57.6")
    assert "10.53.57.6" in run(world, run_as, ["getent", "hosts", "db.fake.test"]).stdout


def test_default_world_has_the_running_user_with_a_fake_home(run_user, cwrap_cli, run_as):
    result = run_user([*cwrap_cli, "run", "--nss", "--", "sh", "-c",
                       'getent passwd "$(id -un)"; getent passwd root nobody | cut -d: -f1'])
    assert result.returncode == 0, result.stderr
    me, root, nobody = result.stdout.splitlines()
    fields = me.split(":")
    assert fields[0] == run_as.name and fields[2] == str(run_as.uid)
    assert fields[5].endswith(f"/home/{run_as.name}") and fields[5] != str(run_as.home)
    assert (root, nobody) == ("root", "nobody")


def test_cli_options(run_user, cwrap_cli, shared_tmp):
    result = run_user([*cwrap_cli, "run", "--nss", "--group", "devs:3000", "--user",
                       "alice:1500", "--user", "bob", "--group", "ops::alice,bob",
                       "--host", "web.fake.test=10.53.57.5,fd00:53::5",
                       "--hostname", "box.fake.test", "--",
                       "sh", "-c", "id alice; id bob; getent ahostsv4 web.fake.test | head -1;"
                       " hostname"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "uid=1500(alice) gid=1500(alice) groups=1500(alice),1000(ops)"
    assert lines[1] == "uid=1000(bob) gid=1001(bob) groups=1001(bob),1000(ops)"
    assert lines[2].split() == ["10.53.57.5", "STREAM", "web.fake.test"]
    assert lines[3] == "box.fake.test"


def test_cli_uses_existing_files(run_user, cwrap_cli, shared_tmp):
    (shared_tmp / "p").write_text("zed:x:4242:4242::/z:/bin/sh\n")
    (shared_tmp / "g").write_text("zed:x:4242:\n")
    (shared_tmp / "h").write_text("10.9.9.9 zed.test\n")
    result = run_user([*cwrap_cli, "run", "--nss", "--passwd", str(shared_tmp / "p"),
                       "--group-file", str(shared_tmp / "g"), "--hosts", str(shared_tmp / "h"),
                       "--", "sh", "-c", "id zed; getent hosts zed.test; getent passwd root"])
    assert result.stdout.splitlines() == ["uid=4242(zed) gid=4242(zed) groups=4242(zed)",
                                          "10.9.9.9        zed.test"]
    assert (shared_tmp / "p").read_text() == "zed:x:4242:4242::/z:/bin/sh\n"


def test_cli_rejects_bad_values(run_user, cwrap_cli):
    bad = run_user([*cwrap_cli, "run", "--nss", "--user", "alice:x", "--", "true"])
    assert bad.returncode != 0 and "UID 'x' is not a number" in bad.stderr
    bad = run_user([*cwrap_cli, "run", "--nss", "--host", "web", "--", "true"])
    assert bad.returncode != 0 and "NAME=IP" in bad.stderr
    bad = run_user([*cwrap_cli, "run", "--nss", "--host", "web=10.1.1", "--", "true"])
    assert bad.returncode == 125 and "not an IPv4 or IPv6 address" in bad.stderr


def test_records_refuse_what_would_break_the_files():
    assert User("a", 1, 2, home="/h").line() == "a:x:1:2::/h:/bin/sh\n"
    assert Group("g", 5, ("a", "b")).line() == "g:x:5:a,b\n"
    assert Host("fd00::1", "n", ("m",)).line() == "fd00::1 n m\n"
    for make in (lambda: User("a:b", 1, 1), lambda: User("a", -1, 1),
                 lambda: User("a", 1, 1, gecos="x\ny"), lambda: User("+a", 1, 1),
                 lambda: Group("g", 1, ("a,b",)), lambda: Host("1.2.3", "n"),
                 lambda: Host("1.2.3.4", "a b")):
        with pytest.raises(ConfigError):
            make()
    config = NssConfig()
    config.add_user("x")
    with pytest.raises(ConfigError):
        config.add_user("x")
    with pytest.raises(ConfigError):
        config.add_member("nosuchgroup", "x")


def test_nss_off_has_no_add_user(make_env):
    env = make_env(socket=False, uid=False, nss=False)
    with pytest.raises(ConfigError):
        env.add_user("alice")
    assert isinstance(cwrap.Environment, type)
