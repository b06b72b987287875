"""A tiny TCP echo server: the program under test in the tutorial."""

import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", port))
server.listen()
while True:
    conn, peer = server.accept()
    with conn:
        data = conn.recv(65536)
        conn.sendall(f"{socket.gethostname()} echoes {data.decode()} to {peer[0]}".encode())
