/*
 * Micro-benchmarks behind bench/socket.py.
 *
 *     socket_bench MODE inet|unix ADDR [PORT]
 *
 * MODE: throughput (MB/s, 256 KiB writes), connrate (connect+accept+close
 * per second), pingpong (1-byte round trips per second), firstsocket
 * (microseconds for the first socket() of a process), fdio (nanoseconds
 * per read/write of one byte on a pipe, no socket involved).
 * Prints one number.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int use_unix;
static const char *addr_text;
static int port;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static socklen_t make_addr(struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (use_unix) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", addr_text);
		return sizeof(*sun);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr_text, &sin->sin_addr);
	return sizeof(*sin);
}

static int new_socket(void)
{
	int fd = socket(use_unix ? AF_UNIX : AF_INET, SOCK_STREAM, 0), one = 1;

	if (!use_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int listener(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss);
	int fd = new_socket(), one = 1;

	if (use_unix)
		unlink(addr_text);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
		perror("listener");
		exit(1);
	}
	return fd;
}

static int dial(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss);
	int fd = new_socket();

	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

#define CHUNK (256 * 1024)
#define TOTAL (2048L * 1024 * 1024)

static void *sink(void *arg)
{
	int fd = accept(*(int *)arg, NULL, NULL);
	static char buf[CHUNK];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return NULL;
}

static double throughput(void)
{
	int l = listener(), c;
	pthread_t t;
	static char buf[CHUNK];
	double start;

	const char *mb = getenv("BENCH_TOTAL_MB");   /* bench/pcap.py: smaller files */
	long total = mb ? atol(mb) * 1024 * 1024 : TOTAL;

	pthread_create(&t, NULL, sink, &l);
	c = dial();
	start = now();
	for (long sent = 0; sent < total;) {
		ssize_t n = write(c, buf, sizeof(buf));

		if (n <= 0)
			exit(1);
		sent += n;
	}
	close(c);
	pthread_join(t, NULL);
	return (double)total / (now() - start) / 1e6;
}

static void *acceptor(void *arg)
{
	int l = *(int *)arg;

	for (;;) {
		int fd = accept(l, NULL, NULL);

		if (fd < 0)
			return NULL;
		close(fd);
	}
}

static double connrate(void)
{
	int l = listener(), n = 20000;
	pthread_t t;
	double start;

	pthread_create(&t, NULL, acceptor, &l);
	start = now();
	for (int i = 0; i < n; i++)
		close(dial());
	return n / (now() - start);
}

static void *echo(void *arg)
{
	int fd = accept(*(int *)arg, NULL, NULL);
	char c;

	while (read(fd, &c, 1) == 1)
		if (write(fd, &c, 1) != 1)
			break;
	return NULL;
}

static double pingpong(void)
{
	int l = listener(), c, n = 50000;
	pthread_t t;
	char ch = 'x';
	double start;

	pthread_create(&t, NULL, echo, &l);
	c = dial();
	start = now();
	for (int i = 0; i < n; i++)
		if (write(c, &ch, 1) != 1 || read(c, &ch, 1) != 1)
			exit(1);
	return n / (now() - start);
}

static double firstsocket(void)
{
	double start = now();
	int fd = new_socket();
	double t = now() - start;

	close(fd);
	return t * 1e6;
}

static double fdio(void)
{
	int p[2], n = 2000000;
	char c = 'x';
	double start;

	if (pipe(p) != 0)
		exit(1);
	start = now();
	for (int i = 0; i < n; i++)
		if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
			exit(1);
	return (now() - start) / (2.0 * n) * 1e9;
}

int main(int argc, char **argv)
{
	double v;

	if (argc < 4)
		return 2;
	use_unix = strcmp(argv[2], "unix") == 0;
	addr_text = argv[3];
	port = argc > 4 ? atoi(argv[4]) : 0;
	if (strcmp(argv[1], "throughput") == 0)
		v = throughput();
	else if (strcmp(argv[1], "connrate") == 0)
		v = connrate();
	else if (strcmp(argv[1], "pingpong") == 0)
		v = pingpong();
	else if (strcmp(argv[1], "firstsocket") == 0)
		v = firstsocket();
	else if (strcmp(argv[1], "fdio") == 0)
		v = fdio();
	else
		return 2;
	printf("%.3f\n", v);
	return 0;
}
