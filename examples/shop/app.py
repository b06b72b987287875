"""The shop's application: counts visits in redis (found by name) and
says who it runs as.  Plain standard library: a tiny RESP client."""

import http.server
import os
import pwd
import socket
import sys

REDIS = sys.argv[1] if len(sys.argv) > 1 else "cache"


def incr(key: str) -> int:
    with socket.create_connection((REDIS, 6379), timeout=5) as conn:
        conn.sendall(f"INCR {key}\r\n".encode())
        reply = conn.recv(100).decode()
    if not reply.startswith(":"):
        raise RuntimeError(f"redis said {reply!r}")
    return int(reply[1:])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        visits = incr("visits")
        me = pwd.getpwuid(os.getuid()).pw_name
        body = (f"hello from {socket.gethostname()} as {me} (uid {os.getuid()}); "
                f"visit {visits}; proxied for {self.headers.get('X-Forwarded-For')}\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
