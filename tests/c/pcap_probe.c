/*
 * Traffic for the capture tests, server and clients in one process:
 *
 *   pcap_probe calls ADDR PORT     one connection; the client sends with
 *                                  write, writev, send, sendmsg, sendmmsg,
 *                                  sendfile and splice, then half-closes;
 *                                  the server answers and closes.
 *   pcap_probe bulk ADDR PORT N    N bytes (pattern (i*7 + i/251) & 255) one way
 *   pcap_probe many ADDR PORT N    N concurrent connections, each "hello K" /
 *                                  "bye K"
 *   pcap_probe udp ADDR PORT BCAST ping/pong, a datagram to PORT+1 where nobody
 *                                  listens, and (BCAST != "-") one broadcast
 *   pcap_probe reset ADDR PORT     the server closes with unread data (RST)
 *
 * Prints "ok" and what it sent/received, or "FAIL ..." and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static struct sockaddr_storage addr;
static socklen_t addr_len;
static int family;

#define CHECK(c) do { if (!(c)) { printf("FAIL %s line %d: %s\n", #c, __LINE__, \
				strerror(errno)); fflush(stdout); exit(1); } } while (0)

static void parse(const char *host, int port)
{
	memset(&addr, 0, sizeof(addr));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&addr;

		s->sin6_family = family = AF_INET6;
		s->sin6_port = htons((unsigned short)port);
		CHECK(inet_pton(AF_INET6, host, &s->sin6_addr) == 1);
		addr_len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&addr;

		s->sin_family = family = AF_INET;
		s->sin_port = htons((unsigned short)port);
		CHECK(inet_pton(AF_INET, host, &s->sin_addr) == 1);
		addr_len = sizeof(*s);
	}
}

static int listener(int backlog)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK(bind(fd, (struct sockaddr *)&addr, addr_len) == 0);
	CHECK(listen(fd, backlog) == 0);
	return fd;
}

static int client(void)
{
	int fd = socket(family, SOCK_STREAM, 0);

	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&addr, addr_len) == 0);
	return fd;
}

static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	return got;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		CHECK(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/* ---- calls ---- */

static void *calls_server(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	static char buf[4096];
	char reply[64];
	size_t got;

	CHECK(fd >= 0);
	got = read_all(fd, buf, sizeof(buf));
	snprintf(reply, sizeof(reply), "server got %zu bytes\n", got);
	write_all(fd, reply, strlen(reply));
	CHECK(close(fd) == 0);
	return NULL;
}

static void calls(void)
{
	int lfd = listener(1), fd, p[2], tmp;
	pthread_t t;
	char name[] = "/tmp/pcap_probe_XXXXXX", reply[128];
	struct iovec iov[3] = { { "writev ", 7 }, { "in three ", 9 }, { "parts\n", 6 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
	struct mmsghdr mm[2];
	struct iovec one = { "sendmmsg first\n", 15 }, two = { "sendmmsg second\n", 16 };
	off_t off = 0;
	size_t n;

	pthread_create(&t, NULL, calls_server, &lfd);
	fd = client();
	write_all(fd, "write\n", 6);
	CHECK(writev(fd, iov, 3) == 22);
	CHECK(send(fd, "send\n", 5, 0) == 5);
	iov[0].iov_base = "sendmsg ";
	iov[0].iov_len = 8;
	CHECK(sendmsg(fd, &msg, 0) == 23);
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &one;
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &two;
	mm[1].msg_hdr.msg_iovlen = 1;
	CHECK(sendmmsg(fd, mm, 2, 0) == 2);
	tmp = mkstemp(name);
	CHECK(tmp >= 0);
	unlink(name);
	write_all(tmp, "xxsendfile from a file\n", 23);
	off = 2;
	CHECK(sendfile(fd, tmp, &off, 21) == 21);
	close(tmp);
	CHECK(pipe(p) == 0);
	write_all(p[1], "splice from a pipe\n", 19);
	CHECK(splice(p[0], NULL, fd, NULL, 19, 0) == 19);
	close(p[0]);
	close(p[1]);
	CHECK(shutdown(fd, SHUT_WR) == 0);
	n = read_all(fd, reply, sizeof(reply) - 1);
	reply[n] = '\0';
	CHECK(strcmp(reply, "server got 127 bytes\n") == 0);
	CHECK(close(fd) == 0);
	pthread_join(t, NULL);
	close(lfd);
	printf("ok\n");
}

/* ---- bulk ---- */

static size_t bulk_len;

static void *bulk_server(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char *buf = malloc(1 << 16);
	size_t total = 0, bad = 0;
	ssize_t n;

	CHECK(fd >= 0);
	while ((n = read(fd, buf, 1 << 16)) > 0) {
		for (ssize_t i = 0; i < n; i++, total++)
			if ((unsigned char)buf[i] != (unsigned char)((total * 7 + total / 251) & 255))
				bad++;
	}
	CHECK(total == bulk_len && bad == 0);
	write_all(fd, "done\n", 5);
	close(fd);
	free(buf);
	return NULL;
}

static void bulk(size_t len)
{
	int lfd = listener(1), fd;
	pthread_t t;
	char *buf = malloc(len), reply[16];

	bulk_len = len;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((i * 7 + i / 251) & 255);
	pthread_create(&t, NULL, bulk_server, &lfd);
	fd = client();
	write_all(fd, buf, len);
	CHECK(shutdown(fd, SHUT_WR) == 0);
	CHECK(read_all(fd, reply, sizeof(reply)) == 5);
	close(fd);
	pthread_join(t, NULL);
	close(lfd);
	free(buf);
	printf("ok\n");
}

/* ---- many ---- */

static void *many_conn(void *arg)
{
	int fd = (int)(long)arg;
	char buf[64], reply[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	CHECK(n > 0);
	buf[n] = '\0';
	snprintf(reply, sizeof(reply), "bye %s", buf + 6);
	write_all(fd, reply, strlen(reply));
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	return NULL;
}

static void *many_server(void *arg)
{
	int lfd = ((int *)arg)[0], count = ((int *)arg)[1];
	pthread_t *t = calloc((size_t)count, sizeof(*t));

	for (int i = 0; i < count; i++) {
		int fd = accept(lfd, NULL, NULL);

		CHECK(fd >= 0);
		pthread_create(&t[i], NULL, many_conn, (void *)(long)fd);
	}
	for (int i = 0; i < count; i++)
		pthread_join(t[i], NULL);
	free(t);
	return NULL;
}

static void *many_client(void *arg)
{
	int k = (int)(long)arg, fd = client();
	char msg[32], want[32], buf[64];
	ssize_t n;

	snprintf(msg, sizeof(msg), "hello %d", k);
	snprintf(want, sizeof(want), "bye %d", k);
	write_all(fd, msg, strlen(msg));
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(strcmp(buf, want) == 0);
	close(fd);
	return NULL;
}

static void many(int count)
{
	int args[2] = { listener(count), count };
	pthread_t srv, *t = calloc((size_t)count, sizeof(*t));

	pthread_create(&srv, NULL, many_server, args);
	for (int i = 0; i < count; i++)
		pthread_create(&t[i], NULL, many_client, (void *)(long)i);
	for (int i = 0; i < count; i++)
		pthread_join(t[i], NULL);
	pthread_join(srv, NULL);
	close(args[0]);
	free(t);
	printf("ok\n");
}

/* ---- udp ---- */

static void udp(int port, const char *bcast)
{
	int srv = socket(family, SOCK_DGRAM, 0), cli = socket(family, SOCK_DGRAM, 0), one = 1;
	struct sockaddr_storage from, other = addr;
	socklen_t flen = sizeof(from);
	char buf[64];

	CHECK(srv >= 0 && cli >= 0);
	setsockopt(srv, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	CHECK(bind(srv, (struct sockaddr *)&addr, addr_len) == 0);
	CHECK(sendto(cli, "ping", 4, 0, (struct sockaddr *)&addr, addr_len) == 4);
	CHECK(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 4);
	CHECK(sendto(srv, "pong", 4, 0, (struct sockaddr *)&from, flen) == 4);
	CHECK(recv(cli, buf, sizeof(buf), 0) == 4 && memcmp(buf, "pong", 4) == 0);
	if (family == AF_INET)
		((struct sockaddr_in *)&other)->sin_port = htons((unsigned short)(port + 1));
	else
		((struct sockaddr_in6 *)&other)->sin6_port = htons((unsigned short)(port + 1));
	CHECK(sendto(cli, "nobody", 6, 0, (struct sockaddr *)&other, addr_len) == 6);
	if (strcmp(bcast, "-") != 0) {
		struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };

		CHECK(inet_pton(AF_INET, bcast, &b.sin_addr) == 1);
		CHECK(setsockopt(cli, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) == 0);
		CHECK(sendto(cli, "to all", 6, 0, (struct sockaddr *)&b, sizeof(b)) == 6);
		CHECK(recv(srv, buf, sizeof(buf), 0) == 6);
	}
	close(cli);
	close(srv);
	printf("ok\n");
}

/* ---- reset ---- */

static void reset(void)
{
	int lfd = listener(1), fd = client(), sfd = accept(lfd, NULL, NULL);
	char buf[16];

	CHECK(sfd >= 0);
	write_all(fd, "unread\n", 7);
	usleep(10000);
	CHECK(close(sfd) == 0);              /* unread data: RST */
	CHECK(read(fd, buf, sizeof(buf)) < 0 && errno == ECONNRESET);
	close(fd);
	close(lfd);
	printf("ok\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr, "usage: pcap_probe MODE ADDR PORT [ARG]\n");
		return 2;
	}
	parse(argv[2], atoi(argv[3]));
	if (strcmp(argv[1], "calls") == 0)
		calls();
	else if (strcmp(argv[1], "bulk") == 0 && argc > 4)
		bulk((size_t)strtoul(argv[4], NULL, 10));
	else if (strcmp(argv[1], "many") == 0 && argc > 4)
		many(atoi(argv[4]));
	else if (strcmp(argv[1], "udp") == 0 && argc > 4)
		udp(atoi(argv[3]), argv[4]);
	else if (strcmp(argv[1], "reset") == 0)
		reset();
	else
		return 2;
	return 0;
}
