"""Hostile NSS files, end to end: binary garbage, NUL bytes and CRLF
lines, a 10 MB single line, files replaced (rename) and truncated to 0
and restored while 8 threads look up.  Each bad line gets one clear
warning naming file:line, nothing crashes, the good entries keep being
found, and memory stays bounded (VmRSS)."""

from __future__ import annotations

import random
import re


GOOD_PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
               "alice:x:1500:1500:Alice:/home/alice:/bin/sh\n")
GOOD_GROUP = "root:x:0:\ndevs:x:2000:alice,bob\n"
GOOD_HOSTS = "127.0.0.1 localhost\n10.53.57.5 web.fake.test web\n"
WARNING = re.compile(r"^\S+\[\d+\]: cwrap-nss warn: (/\S+):(\d+): "
                     r"(not a passwd\(5\) entry|not a group\(5\) entry|not a shadow\(5\) entry|"
                     r"not an IPv4 or IPv6 address); line skipped$")


def _garbage(seed: int, lines: int) -> bytes:
    rnd = random.Random(seed)
    out = b""
    for _ in range(lines):
        body = bytes(b for b in rnd.randbytes(rnd.randrange(1, 200)) if b != 0x0A)
        out += b"\x7fELF" + body + b"\n"   # starts with a visible byte: always warned
    return out


def _world(where, passwd: bytes | None, group: bytes | None, hosts: bytes | None,
           shadow: bytes | None = None):
    import cwrap
    env = {"LD_PRELOAD": str(cwrap.lib_path("nss"))}
    for name, data in (("passwd", passwd), ("group", group), ("hosts", hosts),
                       ("shadow", shadow)):
        if data is None:
            continue
        (where / name).write_bytes(data)
        env[f"NSS_WRAPPER_{name.upper()}"] = str(where / name)
    return env


def _only_warnings(stderr: str) -> list[tuple[str, int]]:
    found = []
    for line in stderr.splitlines():
        m = WARNING.match(line)
        assert m, f"unexpected stderr line: {line!r}"
        found.append((m.group(1), int(m.group(2))))
    return found


def test_binary_garbage_nul_bytes_and_crlf(run_user, shared_tmp):
    junk = _garbage(1, 200)
    passwd = (b"root:x:0:0:root:/root:/bin/sh\n" + junk + b"ab\0cd:x:1:1::/:\n"
              + b"alice:x:1500:1500:Alice:/home/alice:/bin/sh\n"
              + b"bob:x:1501:1501::/home/bob:/bin/sh\r\n" + junk[:5000])
    group = junk + GOOD_GROUP.encode() + b"crlf:x:3000:carol\r\n"
    hosts = junk + b"10.1.1.1 one.test\r\n" + GOOD_HOSTS.encode() + b"\0\0\0\n"
    # A CRLF shadow line ends in a flag field "\r": not a number, refused
    # as glibc refuses it, with a warning; the LF line after it is found.
    shadow = junk + b"alice:$6$x$y:19000:0:99999:7:::\r\n" + b"bob:$6$b$c:19001:0:99999:7:::\n"
    env = _world(shared_tmp, passwd, group, hosts, shadow)

    for argv, expect in ((["passwd", "alice"], "alice:x:1500:1500:Alice:/home/alice:/bin/sh"),
                         (["passwd", "1501"], "bob:x:1501:1501::/home/bob:/bin/sh"),  # "\r" kept, as glibc
                         (["group", "devs"], "devs:x:2000:alice,bob"),
                         (["group", "3000"], "crlf:x:3000:carol"),
                         (["hosts", "web"], "10.53.57.5      web.fake.test web"),
                         (["hosts", "one.test"], "10.1.1.1        one.test")):
        result = run_user(["getent", *argv], env=env)
        assert result.returncode == 0, (argv, result)
        assert result.stdout.split("\n") == [expect, ""], (argv, result.stdout)
        warned = _only_warnings(result.stderr)
        # One warning per garbage line of the database asked, with file:line.
        database = argv[0]
        assert (str(shared_tmp / database), 2) in warned, result.stderr[:2000]
        assert len(warned) == len(set(warned)) >= 200
    # The NUL line is cut at the NUL, like glibc's reader: "ab" is bad.
    result = run_user(["getent", "passwd"], env=env)
    assert result.returncode == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["root", "alice", "bob"]
    assert (str(shared_tmp / "passwd"), 202) in _only_warnings(result.stderr)
    result = run_user(["getent", "shadow", "bob"], env=env)
    assert result.returncode == 0 and result.stdout.startswith("bob:$6$b$c:19001:"), result
    assert (str(shared_tmp / "shadow"), 201) in _only_warnings(result.stderr)


def test_ten_megabyte_single_line(run_user, probes, shared_tmp):
    huge = b"z" * (10 << 20)
    passwd = (b"root:x:0:0:root:/root:/bin/sh\n" + huge + b"\n"
              + b"alice:x:1500:1500:Alice:/home/alice:/bin/sh\n"
              + b"big:x:5000:5000:" + huge + b":/home/big:/bin/sh\n")
    group = GOOD_GROUP.encode() + b"many:x:4000:" + b",".join([b"m%d" % i for i in range(200000)]) + b"\n"
    hosts = GOOD_HOSTS.encode() + b"10.0.0.9 " + huge                 # no final newline
    env = _world(shared_tmp, passwd, group, hosts)

    result = run_user([str(probes("nss_hostile")), "rss"], env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    fields = dict(zip(result.stdout.split()[::2], map(int, result.stdout.split()[1::2])))
    assert fields["found"] == 1 and fields["wrong"] == 0, result.stdout
    # Three files of ~10 MB each are held once: well under 100 MB.
    assert fields["rss"] < 100 * 1024, result.stdout
    assert _only_warnings(result.stderr) == [(str(shared_tmp / "passwd"), 2)]

    big = run_user(["getent", "passwd", "big"], env=env, timeout=60)
    assert big.returncode == 0
    assert big.stdout.startswith("big:x:5000:5000:zzz") and len(big.stdout) > 10 << 20
    many = run_user(["getent", "group", "many"], env=env, timeout=60)
    assert many.returncode == 0 and many.stdout.count(",") == 199999
    web = run_user(["getent", "hosts", "10.0.0.9"], env=env, timeout=60)
    assert web.returncode == 0 and len(web.stdout) > 10 << 20


def test_files_replaced_truncated_and_restored_under_8_threads(run_user, probes, shared_tmp):
    # The probe (the unprivileged user) writes the files itself.
    env = _world(shared_tmp, None, None, None)
    env.update({f"NSS_WRAPPER_{n.upper()}": str(shared_tmp / n)
                for n in ("passwd", "group", "hosts")})
    result = run_user([str(probes("nss_hostile")), "loop", str(shared_tmp), "3"],
                      env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    words = result.stdout.split()
    fields = dict(zip(words[::2], map(int, words[1::2])))
    print(result.stdout.strip())
    assert fields["wrong"] == 0, result.stdout
    assert fields["final"] == 8, result.stdout          # every thread finds all again
    assert fields["lookups"] > 1000 and fields["rounds"] > 30, result.stdout
    assert fields["rss-end"] - fields["rss-start"] < 4096, result.stdout
    warned = _only_warnings(result.stderr)
    assert warned, "garbage lines must be warned about"
    assert {path for path, _ in warned} <= {str(shared_tmp / n) for n in ("passwd", "group", "hosts")}
