"""The README's main job: a fake network shown end to end, as a normal user.

A web server listens on the privileged port 80 of the fake host
127.0.0.10, a client on the fake host 127.0.0.20 fetches a page from it,
and the same is shown to be impossible without cwrap.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cwrap
from cwrap.testing import unprivileged

PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
FETCH = ("import urllib.request as u; r = u.urlopen('http://127.0.0.10/', timeout=10); "
         "print(r.status, r.read().decode().strip())")


def main() -> int:
    user = unprivileged()
    print(f"== everything below runs as {user.name} (uid {user.uid})\n")
    base = {"PATH": PATH, "LANG": "C.UTF-8", **user.environ()}
    site = Path(tempfile.mkdtemp(prefix="cwdemo-"))
    (site / "index.html").write_text("hello from 127.0.0.10:80, a fake host\n")
    user.give(site)

    print("== without cwrap: port 80 is privileged")
    plain = subprocess.run(["/usr/bin/python3", "-c",
                            "import socket; socket.socket().bind(('127.0.0.10', 80))"],
                           env=base, capture_output=True, text=True, **user.kwargs())
    print("   " + (plain.stderr.strip().splitlines() or ["(no error?)"])[-1])

    with cwrap.Environment(socket=True, nss=False, uid=False, base_environ=base,
                           keep=False) as net:
        user.give(net.dir)
        print("\n== with cwrap: a web server on 127.0.0.10:80 (fake host 10)")
        server = net.popen(["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.10",
                            "80"], env={"SOCKET_WRAPPER_DEFAULT_IFACE": "10"}, cwd=site,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           **user.kwargs())
        net.wait_listening("127.0.0.10", 80)
        print(f"   listening; its socket file: {sorted(p.name for p in net.socket_dir.iterdir())}")
        print("\n== a client on fake host 20 fetches http://127.0.0.10/")
        client = net.run(["/usr/bin/python3", "-c", FETCH],
                         env={"SOCKET_WRAPPER_DEFAULT_IFACE": "20"}, capture_output=True,
                         text=True, **user.kwargs())
        print(f"   {client.stdout.strip() or client.stderr.strip()}")
        server.terminate()
        _, log = server.communicate(timeout=10)
        print(f"\n== the server saw: {log.strip().splitlines()[-1] if log.strip() else '?'}")
    shutil.rmtree(site, ignore_errors=True)
    ok = plain.returncode != 0 and client.returncode == 0 and client.stdout.startswith("200 ")
    print(f"\ncwrap {cwrap.__version__}: demo {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
