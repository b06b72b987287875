/* A minimal HTTP/1.0 server for the namespace backend's tests, linked
 * statically (LD_PRELOAD cannot reach it): listens on ADDR:PORT, answers
 * every request with its own host name and the client's address, and
 * serves COUNT requests (0: forever). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int fd, one = 1, count, served = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ADDR PORT [COUNT]\n", argv[0]);
		return 2;
	}
	count = argc > 3 ? atoi(argv[3]) : 0;
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("bind");
		return 1;
	}
	if (listen(fd, 16) != 0) {
		perror("listen");
		return 1;
	}
	fprintf(stderr, "listening on %s:%s\n", argv[1], argv[2]);
	while (count == 0 || served < count) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		char buf[4096], host[256], body[512], out[1024], ip[INET_ADDRSTRLEN];
		int c = accept(fd, (struct sockaddr *)&peer, &len);

		if (c < 0)
			continue;
		if (read(c, buf, sizeof(buf)) < 0)
			perror("read");
		gethostname(host, sizeof(host));
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		snprintf(body, sizeof(body), "static server %s saw %s\n", host, ip);
		snprintf(out, sizeof(out), "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
		if (write(c, out, strlen(out)) < 0)
			perror("write");
		close(c);
		served++;
	}
	return 0;
}
