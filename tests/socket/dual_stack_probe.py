"""Dual-stack IPv6 sockets: run on real loopback and under the shim, the
output must be the same (tests/socket/test_socket_more.py)."""
import socket, sys, errno
host4 = sys.argv[1]      # the IPv4 address of the host the listener is on
def name(a): return a[0].replace(host4, "HOST4")
out = []
srv = socket.socket(socket.AF_INET6); srv.bind(("::", 47001)); srv.listen()
c = socket.socket(socket.AF_INET); c.connect((host4, 47001))
a, peer = srv.accept()
out.append(("peer", name(peer).startswith("::ffff:127.0.0."), "local", name(a.getsockname())))
c.send(b"x"); out.append(("data", a.recv(1)))
v4 = socket.socket(socket.AF_INET)
try: v4.bind(("0.0.0.0", 47001)); out.append("v4bind ok")
except OSError as e: out.append(("v4bind", errno.errorcode[e.errno]))
only = socket.socket(socket.AF_INET6); only.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
only.bind(("::", 47002)); only.listen()
c2 = socket.socket(socket.AF_INET)
try: c2.connect((host4, 47002)); out.append("v6only reached")
except OSError as e: out.append(("v6only", errno.errorcode[e.errno]))
v4first = socket.socket(socket.AF_INET); v4first.bind(("0.0.0.0", 47003)); v4first.listen()
d = socket.socket(socket.AF_INET6)
try: d.bind(("::", 47003)); out.append("dual after v4 ok")
except OSError as e: out.append(("dual after v4", errno.errorcode[e.errno]))
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::", 47004))
uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uc.sendto(b"hi", (host4, 47004))
data, frm = u.recvfrom(10); u.sendto(b"back", frm); out.append(("udp", data, frm[0].startswith("::ffff:127.0.0."), uc.recvfrom(10)[0]))
print(out)
