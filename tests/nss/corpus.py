"""A broad, deterministic corpus of passwd, group, shadow and hosts data,
and the queries asked about it, for the glibc differential test."""

from __future__ import annotations

PASSWD_HEAD = """\
root:x:0:0:root:/root:/bin/bash
# a comment line
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

   # an indented comment
  indented:x:1500:1500:leading blanks:/home/indented:/bin/sh
alice:x:1000:1000:Alice Liddell,,,:/home/alice:/bin/bash
bob:x:1001:1001:Bob:/home/bob:/bin/sh
carol:x:1002:1002
dave:*:1003:100::/home/dave:/bin/sh:with:colons
Eve:x:1004:1004:Upper Case:/home/Eve:/bin/sh
alice:x:2000:2000:second alice:/tmp:/bin/false
shared:x:1000:1000:same uid as alice:/x:/bin/sh
big:x:4294967294:4294967294:big ids:/b:/bin/sh
neg:x:-5:-5:negative:/n:/bin/sh
plus:x:+7:7:plus sign:/p:/bin/sh
spaced:x: 42:42:space before uid:/s:/bin/sh
nouid:x::1:no uid:/n:/bin/sh
badgid:x:3000:abc:bad gid:/b:/bin/sh
trailing:x:3001 :3001:blank after uid:/t:/bin/sh
onlyname
hexuid:x:0x10:16:hex:/h:/bin/sh
empty:::::::
 tab\tuser:x:3002:3002:tab in name:/t:/bin/sh
"""

GROUP_HEAD = """\
root:x:0:
# comment
daemon:x:1:
alice:x:1000:
bob:x:1001:bob
staff:x:50:alice,bob,carol
users:x:100:alice, bob ,,dave,
dupgid:x:50:eve
wheel:*:10:alice
alice:x:2000:notfirst
nogid:x::alice
badgid:x:x1:alice
Eve:x:1004:Eve
trailing:x:77:alice,
empty::78:
"""

SHADOW = """\
root:*:19000:0:99999:7:::
# comment
alice:$6$salt$hash:19001:0:99999:7:30:20000:
bob:!:19002:1:2:3:4:5:6
old:pw:19003:0:99999
emptyall::::::::
partial:x:1:2:3:4
neg:x:-1:-2:-3:-4:-5:-6:
badnum:x:abc:0:0:0:0:0:
carol:x:::::::
"""

HOSTS = """\
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
# comment
127.0.1.1  thishost.example.org thishost   # trailing comment
10.0.0.1 web.example.com web www
10.0.0.2 web.example.com web2
fd00::10 web.example.com web6
192.0.2.10 multi.example.com multi
192.0.2.11 MULTI.example.com multi-b
2001:db8::1 multi.example.com
127.0.0.5 loop5.example.com loop5 multi
10.1.2.3 UPPER.Example.COM Upper
10.9.9.9 dotted.example.com. dotted.
::ffff:10.4.4.4 mapped.example.com mapped
fe80::1 linklocal.example.com linklocal
0.0.0.0 zero.example.com zero
not-an-address bogus.example.com
1.2.3 short.example.com
10.5.5.5
10.6.6.6 dup.example.com dup dup DUP
10.6.6.6 dupaddr.example.com
10.7.7.7 a1 a2 a3
10.7.7.8 a2 a4 a1
10.7.7.9 A3 a5
fd00::99 a2 a6
\t  10.8.8.8\ttabbed.example.com\t\ttabbed
"""


def passwd() -> str:
    extra = "".join(f"gen{i}:x:{5000 + i}:{5000 + i}:Generated {i}:/home/gen{i}:/bin/sh\n"
                    for i in range(300))
    return PASSWD_HEAD + extra


def group() -> str:
    members = ",".join(f"gen{i}" for i in range(3000))
    extra = f"huge:x:4000:{members}\n"
    extra += "".join(f"g{i}:x:{6000 + i}:gen{i % 7},alice\n" for i in range(50))
    return GROUP_HEAD + extra


def shadow() -> str:
    return SHADOW


def hosts() -> str:
    extra = "".join(f"10.20.{i // 250}.{i % 250 + 1} host{i}.example.net host{i}\n"
                    for i in range(200))
    return HOSTS + extra


USERS = ["root", "alice", "bob", "carol", "dave", "Eve", "eve", "ALICE", "shared", "big",
         "neg", "plus", "spaced", "nouid", "badgid", "trailing", "onlyname", "hexuid",
         "indented", "gen0", "gen299", "gen300", "nosuchuser", "", "+", "empty"]
UIDS = ["0", "1", "1000", "1001", "1002", "2000", "4294967294", "4294967291", "7", "42",
        "5000", "5299", "99999", "3001", "16", "1500"]
GROUPS = ["root", "alice", "staff", "users", "dupgid", "wheel", "huge", "nogid", "Eve",
          "eve", "trailing", "empty", "g0", "g49", "nosuchgroup"]
GIDS = ["0", "1", "10", "50", "100", "1000", "2000", "4000", "6000", "77", "78", "12345"]
SHADOW_USERS = ["root", "alice", "bob", "old", "emptyall", "partial", "neg", "badnum",
                "carol", "nosuch"]
HOSTNAMES = ["localhost", "LOCALHOST", "ip6-localhost", "thishost", "thishost.example.org",
             "web", "www", "web.example.com", "WEB.EXAMPLE.COM", "web2", "web6", "multi",
             "multi.example.com", "multi-b", "loop5", "Upper", "upper.example.com",
             "dotted", "dotted.", "dotted.example.com", "dotted.example.com.",
             "web.example.com.", "mapped", "linklocal", "zero", "bogus.example.com",
             "short.example.com", "dup", "dupaddr.example.com", "a1", "a2", "a3", "a4",
             "a5", "a6", "tabbed", "host0", "host199.example.net", "unknown",
             "unknown.example.com", "127.0.0.1", "10.0.0.1", "::1", "fd00::10"]
ADDRESSES = ["127.0.0.1", "::1", "10.0.0.1", "10.0.0.2", "fd00::10", "192.0.2.11",
             "2001:db8::1", "10.4.4.4", "::ffff:10.4.4.4", "fe80::1", "10.6.6.6",
             "10.20.0.1", "10.99.99.99", "2001:db8::99", "127.0.1.1", "0.0.0.0"]

AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_V4MAPPED = 0x1, 0x2, 0x4, 0x8
AI_ALL, AI_ADDRCONFIG, AI_NUMERICSERV = 0x10, 0x20, 0x400


def gai_queries() -> list[str]:
    out = []
    names = ["localhost", "web", "web.example.com", "WEB.example.com", "multi", "web6",
             "mapped", "linklocal", "a2", "dotted.", "unknown", "127.0.0.1", "::1",
             "10.1", "0x7f.1", "127.0.0.1.", "fe80::1%1", "fd00::10%lo", "::ffff:1.2.3.4",
             "1.2.3.4 x", "-"]
    for name in names:
        for family in (0, 2, 10):
            for flags in (0, AI_CANONNAME, AI_V4MAPPED, AI_V4MAPPED | AI_ALL,
                          AI_ADDRCONFIG | AI_CANONNAME, AI_NUMERICHOST, AI_PASSIVE):
                if name == "-" and flags & AI_CANONNAME:
                    continue
                out.append(f"gai|{name}|-|{family}|0|0|{flags}")
    for service in ("80", "http", "domain", "ssh", "nosuchservice", "", "65536", " 22",
                    "+22", "-1", "discard"):
        for socktype, proto in ((0, 0), (1, 0), (2, 0), (0, 6), (0, 17), (1, 17), (3, 0),
                                (5, 0), (6, 0), (0, 132), (2, 136), (0, 99), (3, 99)):
            out.append(f"gai|web|{service}|0|{socktype}|{proto}|0")
            out.append(f"gai|-|{service}|2|{socktype}|{proto}|{AI_PASSIVE}")
        out.append(f"gai|web|{service}|0|0|0|{AI_NUMERICSERV}")
    out += ["gai|-|-|0|0|0|0", "gai|web|-|99|0|0|0", "gai|web|-|0|0|0|4096",
            "gai|-|80|0|0|0|2", "gai|multi|80|10|1|0|24", "gai|multi|80|10|1|0|8"]
    return out


def gni_queries() -> list[str]:
    out = []
    for addr in ADDRESSES:
        for flags in (0, 1, 2, 4, 8, 16, 8 | 1):   # NUMERICHOST, NUMERICSERV, NOFQDN, NAMEREQD, DGRAM
            out.append(f"gni|{addr}|80|{flags}|1025|64")
    out += ["gni|10.0.0.1|53|0|1025|0", "gni|10.0.0.1|53|16|0|64", "gni|10.0.0.1|0|0|3|64",
            "gni|10.0.0.1|22|0|1025|2", "gni|10.0.0.1|22|8|0|0", "gni|10.99.99.99|22|64|1025|64",
            "gni|10.0.0.1|12345|0|1025|64"]
    return out


def probe_queries() -> list[str]:
    q = ["pwent", "grent", "spent", "hostent"]
    q += [f"pwnam|{u}" for u in USERS] + [f"pwuid|{u}" for u in UIDS]
    q += [f"grnam|{g}" for g in GROUPS] + [f"grgid|{g}" for g in GIDS]
    q += [f"spnam|{s}" for s in SHADOW_USERS]
    q += [f"grouplist|{u}|{g}|{n}" for u, g in (("alice", 1000), ("alice", 50), ("gen3", 5003),
                                                 ("bob", 1001), ("nosuch", 7), ("eve", 1004),
                                                 ("Eve", 1004)) for n in (1, 3, 100)]
    for name in HOSTNAMES:
        q += [f"hbn|{name}", f"hbn2|{name}|6", f"hbnr|{name}|4|8192"]
    q += [f"hba|{a}" for a in ADDRESSES]
    return q + gai_queries() + gni_queries()


GETENT = (["passwd", "group", "shadow", "hosts"]
          + [f"passwd {u}" for u in USERS if u] + [f"passwd {u}" for u in UIDS]
          + [f"group {g}" for g in GROUPS if g] + [f"group {g}" for g in GIDS]
          + [f"shadow {s}" for s in SHADOW_USERS]
          + [f"initgroups {u}" for u in ("alice", "bob", "gen5", "nosuch")]
          + [f"{db} {h}" for db in ("hosts", "ahosts", "ahostsv4", "ahostsv6")
             for h in HOSTNAMES + ADDRESSES])
ID_USERS = ["root", "alice", "bob", "carol", "gen5", "Eve", "nosuch", "1000", "5001"]

PYTHON = r"""
import grp, pwd, socket, sys
def show(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, e)
show("getpwall", pwd.getpwall)
show("getgrall", grp.getgrall)
for u in %(users)r:
    show("getpwnam " + u, lambda: pwd.getpwnam(u))
for g in %(groups)r:
    show("getgrnam " + g, lambda: grp.getgrnam(g))
for h in %(hosts)r:
    show("gethostbyname " + h, lambda: socket.gethostbyname(h))
    show("gethostbyname_ex " + h, lambda: socket.gethostbyname_ex(h))
    show("getaddrinfo " + h, lambda: socket.getaddrinfo(h, 80))
    show("getaddrinfo tcp " + h, lambda: socket.getaddrinfo(h, "http", proto=socket.IPPROTO_TCP))
for a in %(addrs)r:
    show("gethostbyaddr " + a, lambda: socket.gethostbyaddr(a))
    show("getnameinfo " + a, lambda: socket.getnameinfo((a, 22), 0))
""" % {"users": [u for u in USERS if u], "groups": GROUPS, "hosts": HOSTNAMES,
       "addrs": ADDRESSES}
