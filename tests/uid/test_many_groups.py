"""Many groups (beyond what a record keeps inline) and large environments:
the same answers as real root, in the process, its threads, a forked
child and a program it starts."""

from __future__ import annotations

import subprocess
import sys

from .helpers import uid_env

SCRIPT = r"""
import os, subprocess, sys, threading
groups = list(range(5000, 5000 + int(sys.argv[1])))[::-1]
os.setgroups(groups)
os.setresgid(7, 7, 7)
def show(where, g):
    print(where, len(g), sum(g), g == sorted(g), flush=True)
show("self", os.getgroups())
out = []
t = threading.Thread(target=lambda: out.append(os.getgroups())); t.start(); t.join()
show("thread", out[0])
pid = os.fork()
if pid == 0:
    show("fork", os.getgroups()); os._exit(0)
os.waitpid(pid, 0)
code = "import os; g = os.getgroups(); print('exec', len(g), sum(g), g == sorted(g))"
subprocess.run([sys.executable, "-c", code], check=True)
os.setgroups(groups[:3])
show("shrunk", os.getgroups())
subprocess.run([sys.executable, "-c", code], check=True)
"""


def run_both(run_user, count, extra_env=None):
    env = {"PATH": "/usr/bin:/bin", **(extra_env or {})}
    want = subprocess.run([sys.executable, "-c", SCRIPT, str(count)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert want.returncode == 0, want.stderr
    got = run_user([sys.executable, "-c", SCRIPT, str(count)],
                   env={**uid_env(), **(extra_env or {})})
    assert got.returncode == 0, got.stderr
    assert got.stderr == ""
    assert got.stdout == want.stdout
    return got.stdout


def test_thousands_of_groups_like_real_root(run_user):
    out = run_both(run_user, 3000)
    assert "self 3000 " in out and "exec 3000 " in out and "exec 3 " in out


def test_groups_around_the_inline_size(run_user):
    for count in (31, 32, 33, 64):
        run_both(run_user, count)


def test_large_environment(run_user):
    many = {f"CWRAP_TEST_VAR_{i}": "x" * 20 for i in range(400)}
    out = run_both(run_user, 40, many)
    assert "exec 40 " in out


def test_too_many_groups_to_hand_over_is_said(run_user):
    """65536 groups do not fit in one environment entry (128 KiB): the
    process keeps them, the programs it starts get the same ids and only
    the first groups (fewer rights, never more), and a log line says so."""
    code = ("import os, subprocess, sys; os.setgroups(list(range(10**6, 10**6 + 65536)));"
            "os.setresuid(5, 5, 5); print(len(os.getgroups()), flush=True);"
            "subprocess.run([sys.executable, '-c', 'import os; "
            "print(os.getresuid(), len(os.getgroups()))'])")
    got = run_user([sys.executable, "-c", code], env=uid_env())
    assert got.returncode == 0, got.stderr
    first, second = got.stdout.splitlines()
    assert first == "65536"
    ids, count = second.rsplit(" ", 1)
    assert ids == "(5, 5, 5)" and 11000 < int(count) < 65536
    assert (f"65536 groups are too many to hand to programs this process starts: "
            f"they get only the first {count}") in got.stderr
