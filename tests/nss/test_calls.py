"""The calls one by one: _r buffer handling, group lists, initgroups and
setgroups, host name, the resolver fallback, a real NSS module, threads
and fork, and the whole probe under AddressSanitizer/UBSan."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

import cwrap
from conftest import REPO, require_tool

from . import corpus
from .helpers import write_world


def probe(run_user, probes, env, *queries):
    result = run_user([str(probes("nss_probe")), *queries], env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_r_functions_say_erange_when_the_buffer_is_small(run_user, probes, shared_tmp):
    env = write_world(shared_tmp)
    out = probe(run_user, probes, env, "pwnamr|alice|8", "pwnamr|alice|4096",
                "grnamr|devs|16", "grnamr|devs|4096", "hbnr|web|4|16", "hbnr|web|4|4096")
    assert out.splitlines() == [
        "pwnamr|alice|8", "  rc=34 result=null",
        "pwnamr|alice|4096", "  rc=0 result=set",
        "  alice:x:1500:1500:Alice:/home/alice:/bin/bash",
        "grnamr|devs|16", "  rc=34 result=null",
        "grnamr|devs|4096", "  rc=0 result=set", "  devs:x:2000:alice,bob",
        "hbnr|web|4|16", "  rc=34 herr=-1 result=null",
        "hbnr|web|4|4096", "  rc=0 herr=1 result=set",
        "  name=web.fake.test type=2 len=4", "  alias=web", "  addr=10.53.57.5"]


def test_group_list_with_a_short_array(run_user, probes, shared_tmp):
    env = write_world(shared_tmp)
    out = probe(run_user, probes, env, "grouplist|alice|1500|1", "grouplist|alice|1500|2")
    assert "  rc=-1 n=2: 1500" in out
    assert "  rc=2 n=2: 1500 2000" in out


def test_initgroups_hands_the_groups_to_setgroups(run_user, probes, shared_tmp):
    """initgroups() calls setgroups() by its ordinary name: a library
    preloaded after the shim (the uid shim, here a spy) receives the
    list; without one, the kernel refuses a normal user, as with glibc."""
    env = write_world(shared_tmp)
    spy = probes("nss_setgroups_spy", "-shared", "-fPIC")
    result = run_user([str(probes("nss_probe")), "initgroups|alice|1500"],
                      env={**env, "LD_PRELOAD": f"{env['LD_PRELOAD']} {spy}"})
    assert "setgroups(2): 1500 2000" in result.stderr
    assert "  rc=0 errno=0" in result.stdout
    alone = probe(run_user, probes, env, "initgroups|alice|1500")
    assert "  rc=-1 errno=1" in alone          # EPERM


def test_hostname_and_uname(run_user, probes, shared_tmp):
    require_tool("hostname")
    require_tool("uname")
    env = {**write_world(shared_tmp), "NSS_WRAPPER_HOSTNAME": "box.fake.test"}
    assert run_user(["hostname"], env=env).stdout == "box.fake.test\n"
    assert run_user(["uname", "-n"], env=env).stdout == "box.fake.test\n"
    out = probe(run_user, probes, env, "hostname|64", "hostname|5", "uname")
    assert "  rc=0 errno=0 name=box.fake.test" in out
    assert "  rc=-1 errno=36 name=box.f" in out    # ENAMETOOLONG
    assert "  nodename=box.fake.test" in out
    assert run_user(["hostname"], env={}).stdout != "box.fake.test\n"


def test_names_missing_from_the_hosts_file_stay_unknown_unless_fallback(run_user, shared_tmp):
    """localhost is in the system's /etc/hosts but not in this file."""
    env = write_world(shared_tmp, hosts="10.53.57.5 web\n")
    for db in ("hosts", "ahosts"):
        assert run_user(["getent", db, "localhost"], env=env).returncode == 2
        on = run_user(["getent", db, "localhost"],
                      env={**env, "NSS_WRAPPER_HOSTS_FALLBACK": "1"})
        assert on.returncode == 0 and "localhost" in on.stdout
    debug = run_user(["getent", "ahosts", "localhost"],
                     env={**env, "NSS_WRAPPER_DEBUGLEVEL": "debug"})
    assert "localhost is not in" in debug.stderr
    assert "NSS_WRAPPER_HOSTS_FALLBACK is off" in debug.stderr
    bad = run_user(["getent", "ahosts", "localhost"],
                   env={**env, "NSS_WRAPPER_HOSTS_FALLBACK": "yes"})
    assert bad.returncode == 2
    assert 'NSS_WRAPPER_HOSTS_FALLBACK="yes" is not valid' in bad.stderr


def test_answers_from_a_real_nss_module(run_user, probes, shared_tmp):
    module = probes("nss_testmodule", "-shared", "-fPIC")
    env = {**write_world(shared_tmp), "NSS_WRAPPER_MODULE_SO_PATH": str(module),
           "NSS_WRAPPER_MODULE_FN_PREFIX": "cwtest"}
    got = run_user(["getent", "passwd", "moduser", "7001", "alice"], env=env)
    assert got.stdout.splitlines() == [
        "moduser:x:7001:7002:From the module:/home/moduser:/bin/sh",
        "moduser:x:7001:7002:From the module:/home/moduser:/bin/sh",
        "alice:x:1500:1500:Alice:/home/alice:/bin/bash"]
    everyone = run_user(["getent", "passwd"], env=env).stdout.splitlines()
    assert everyone[-1].startswith("moduser:") and everyone[0].startswith("root:")
    assert run_user(["getent", "group", "modgroup"], env=env).stdout == \
        "modgroup:x:7002:moduser,alice\n"
    assert run_user(["id", "-G", "alice"], env=env).stdout.split() == ["1500", "2000", "7002"]
    assert run_user(["getent", "hosts", "modhost"], env=env).stdout.split() == \
        ["10.70.0.1", "modhost"]
    # Only the module configured (no files): users and groups still answered.
    only = {k: v for k, v in env.items() if k not in ("NSS_WRAPPER_PASSWD", "NSS_WRAPPER_GROUP")}
    assert run_user(["getent", "passwd", "moduser"], env=only).returncode == 0
    missing = run_user(["getent", "passwd", "alice", "moduser"],
                       env={**env, "NSS_WRAPPER_MODULE_SO_PATH": str(shared_tmp / "no.so")})
    assert missing.stdout.startswith("alice:") and missing.returncode == 2
    assert missing.stderr.count(f"NSS_WRAPPER_MODULE_SO_PATH={shared_tmp}/no.so") == 1


@pytest.mark.parametrize("mode", [[], ["inplace"]])
def test_threads_reloads_and_fork(run_user, probes, shared_tmp, mode):
    env = write_world(shared_tmp)
    result = run_user([str(probes("nss_threads")), str(shared_tmp / "passwd"),
                       str(shared_tmp / "hosts"), "3", *mode], env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bad=0" in result.stdout and "forks=0" not in result.stdout


@pytest.fixture(scope="module")
def asan_shim():
    """The shim built with -fsanitize=address,undefined."""
    require_tool("make")
    build = Path(tempfile.mkdtemp(prefix="cwt-asan-"))
    subprocess.run(["make", "-s", "-C", str(REPO / "csrc"), "SANITIZE=address,undefined",
                    f"BUILD={build}", str(build / "libcwrap_nss.so")], check=True,
                   capture_output=True)
    os.chmod(build, 0o755)
    yield build / "libcwrap_nss.so"
    subprocess.run(["rm", "-rf", str(build)], check=False)


def _runtime(name: str) -> str:
    cc = os.environ.get("CC", "cc")
    return subprocess.run([cc, f"-print-file-name={name}"], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_whole_probe_under_asan_and_ubsan(run_user, probes, shared_tmp, asan_shim):
    env = write_world(shared_tmp, passwd=corpus.passwd(), group=corpus.group(),
                      hosts=corpus.hosts(), shadow=corpus.shadow())
    queries = corpus.probe_queries()
    plain = run_user([str(probes("nss_probe")), *queries], env=env)
    preload = f"{_runtime('libasan.so')} {_runtime('libubsan.so')} {asan_shim}"
    san_env = {**env, "LD_PRELOAD": preload, "ASAN_OPTIONS": "detect_leaks=1",
               "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}
    checked = run_user([str(probes("nss_probe")), *queries], env=san_env, timeout=300)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert "runtime error" not in checked.stderr and "Sanitizer" not in checked.stderr
    assert checked.stdout == plain.stdout
    threads = run_user([str(probes("nss_threads")), str(shared_tmp / "passwd"),
                        str(shared_tmp / "hosts"), "2", "nofork"],
                       env={**write_world(shared_tmp), "LD_PRELOAD": preload,
                            "ASAN_OPTIONS": "detect_leaks=0"}, timeout=120)
    assert threads.returncode == 0, threads.stdout + threads.stderr[-3000:]
