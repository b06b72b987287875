"""Files as people write them, and files that change under a program."""

from __future__ import annotations

import os
import subprocess

from conftest import user_environ

from .helpers import write_world


def test_malformed_line_is_skipped_with_one_warning_and_the_rest_stays(run_user, shared_tmp):
    passwd = ("# users\n\nroot:x:0:0:root:/root:/bin/sh\n"
              "broken:x:notanumber:1::/:/bin/sh\n"
              "   # indented comment\nalice:x:1500:1500::/home/alice:/bin/sh\n")
    env = write_world(shared_tmp, passwd=passwd)
    result = run_user(["getent", "passwd"], env=env)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["root:x:0:0:root:/root:/bin/sh",
                                          "alice:x:1500:1500::/home/alice:/bin/sh"]
    warning = f"{shared_tmp}/passwd:4: not a passwd(5) entry; line skipped"
    assert result.stderr.count(warning) == 1, result.stderr
    assert result.stderr.count("cwrap-nss") == 1, result.stderr


def test_hosts_comments_tabs_and_trailing_comments(run_user, shared_tmp):
    hosts = "# fake hosts\n\n\t10.1.1.1\tone.test  one # the first\n2001:db8::2 two.test\n"
    env = write_world(shared_tmp, hosts=hosts)
    result = run_user(["getent", "hosts", "one"], env=env)
    assert result.stdout.split() == ["10.1.1.1", "one.test", "one"]
    assert run_user(["getent", "hosts", "the"], env=env).returncode == 2


def _probe(run_as, probe, env, queries):
    return subprocess.Popen([str(probe), *queries], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=user_environ(run_as, **env), **run_as.kwargs())


def _until_wait(proc) -> str:
    """The probe's answers up to its "wait" line."""
    out = ""
    while True:
        line = proc.stdout.readline()
        assert line, out
        if line == "wait\n":
            return out
        out += line


def test_change_within_the_same_second_is_seen(run_as, probes, shared_tmp):
    """Same size, same mtime to the nanosecond: only st_ctime tells, and
    it is compared too (upstream compares whole-second mtimes)."""
    env = write_world(shared_tmp)
    path = shared_tmp / "passwd"
    before = os.stat(path)
    proc = _probe(run_as, probes("nss_probe"), env, ["pwnam|alice", "wait", "pwnam|alice"])
    assert "alice:x:1500:" in _until_wait(proc)
    text = path.read_text().replace("alice:x:1500:1500", "alice:x:1600:1500")
    with open(path, "r+") as f:     # in place: same inode, same size
        f.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == \
        (before.st_ino, before.st_size, before.st_mtime_ns)
    out, err = proc.communicate("go\n", timeout=30)
    assert "alice:x:1600:1500" in out, out + err


def test_file_replaced_by_rename_is_seen(run_as, probes, shared_tmp):
    env = write_world(shared_tmp)
    proc = _probe(run_as, probes("nss_probe"), env,
                  ["hbn|web", "wait", "hbn|web", "hbn|new.fake.test"])
    assert "addr=10.53.57.5" in _until_wait(proc)
    tmp = shared_tmp / "hosts.new"
    tmp.write_text("10.53.57.9 web\n10.53.57.10 new.fake.test\n")
    os.replace(tmp, shared_tmp / "hosts")
    out, _ = proc.communicate("go\n", timeout=30)
    assert "addr=10.53.57.9" in out and "addr=10.53.57.10" in out, out


def test_missing_file_is_said_and_picked_up_once_created(run_as, probes, shared_tmp):
    env = write_world(shared_tmp)
    os.unlink(shared_tmp / "group")
    proc = _probe(run_as, probes("nss_probe"), env,
                  ["grnam|devs", "grnam|devs", "wait", "grnam|devs"])
    assert _until_wait(proc).count("none") == 2
    (shared_tmp / "group").write_text("devs:x:2000:alice\n")
    out, err = proc.communicate("go\n", timeout=30)
    assert "devs:x:2000:alice" in out, out
    assert err.count("NSS_WRAPPER_GROUP=") == 1, err
    assert "No such file or directory; the database is empty" in err


def test_no_size_limit_on_hosts(run_user, shared_tmp):
    """Upstream fails past about 33 host lines unless an undocumented
    variable is raised; here 20,000 names in one file all resolve."""
    lines = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255} h{i}.big.test h{i}\n"
             for i in range(1, 20001)]
    env = write_world(shared_tmp, hosts="".join(lines))
    result = run_user(["getent", "hosts", "h1", "h19999", "h20000", "H12345.BIG.TEST"],
                      env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[::3] == ["10.0.0.1", "10.0.78.31", "10.0.78.32", "10.0.48.57"]


def test_edits_are_seen_whatever_the_program_does_to_its_descriptors(run_as, run_user, probes,
                                                                     shared_tmp):
    """The shim learns of changes from an inotify descriptor: closing every
    descriptor (close_range), putting a pipe or an eventfd on its number,
    or forking must neither hide an edit nor touch the program's data."""
    env = write_world(shared_tmp)
    run_as.give(shared_tmp)         # the probe edits the file itself
    result = run_user([str(probes("nss_watch")), str(shared_tmp / "passwd")],
                      env={**env, "NSS_WRAPPER_DEBUGLEVEL": "debug"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout and "done failures=0" in result.stdout, result.stdout
    assert result.stdout.count("ok ") == 15, result.stdout
    assert "line skipped" not in result.stderr
    assert "was closed or reused by the program; making a new one" in result.stderr


def test_a_path_through_a_symbolic_link_is_checked_by_stat(run_as, probes, shared_tmp):
    """inotify cannot follow a symbolic link on the way to the file: such
    a path is stat()ed on each lookup, and an edit is still seen."""
    env = write_world(shared_tmp)
    (shared_tmp / "link").symlink_to(shared_tmp)
    env.update(NSS_WRAPPER_PASSWD=str(shared_tmp / "link" / "passwd"),
               NSS_WRAPPER_DEBUGLEVEL="debug")
    proc = _probe(run_as, probes("nss_probe"), env, ["pwnam|alice", "wait", "pwnam|alice"])
    assert "alice:x:1500:" in _until_wait(proc)
    path = shared_tmp / "passwd"
    path.write_text(path.read_text().replace("alice:x:1500:1500", "alice:x:1600:1500"))
    out, err = proc.communicate("go\n", timeout=30)
    assert "alice:x:1600:1500" in out, out + err
    assert err.count("is not a plain absolute path: each lookup stat()s it") == 1, err
