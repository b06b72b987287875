/*
 * Stress: many concurrent connections, every byte verified.
 *
 *     stress_net ROUNDS PROCS THREADS CONNS_PER_THREAD BYTES_PER_CONN DGRAMS
 *
 * A server process (epoll, non-blocking) listens on TCP 127.0.0.10:7000
 * and [fd00::5357:5f0a]:7001 and echoes; UDP sockets on 127.0.0.10:7002
 * and [fd00::5357:5f0a]:7003 echo datagrams.  PROCS client processes of
 * THREADS threads each open CONNS_PER_THREAD connections (IPv4 and IPv6
 * alternately), hold them all open at once (a barrier across processes),
 * then push BYTES_PER_CONN bytes of a per-connection pattern through each
 * in interleaved chunks and check every echoed byte, and exchange DGRAMS
 * datagrams over UDP/IPv4 and UDP/IPv6.  Every client process counts its
 * descriptors before and after (no leak).  Rounds repeat the whole thing;
 * the server reports its VmRSS after each round (bounded memory).
 *
 * Output, one line each: "round R held H bytes B dgrams D rss KB" and at
 * the end "ok"; errors go to stderr and exit 1.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define V4 "127.0.0.10"
#define V6 "fd00::5357:5f0a"

static int rounds, procs, threads, per_thread, dgrams;
static long bytes_per_conn;

/* Shared between processes: a barrier and counters. */
struct shared {
	pthread_barrier_t barrier;
	_Atomic long held;           /* client connections open right now */
	_Atomic long max_held;
	_Atomic long bytes;          /* bytes verified by clients */
	_Atomic long dgrams;         /* datagrams verified */
	_Atomic int failed;
};
static struct shared *sh;

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
		       sh->failed = 1; return NULL; } while (0)

static socklen_t addr_of(int v6, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, V6, &s->sin6_addr);
		return sizeof(*s);
	}
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, V4, &s->sin_addr);
	return sizeof(*s);
}

/* Open descriptors, but the capture file's: the shim keeps that one open
 * from its first record on, by design. */
static int count_fds(void)
{
	const char *capture = getenv("SOCKET_WRAPPER_PCAP_FILE");
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL) {
		char target[4096];
		ssize_t len = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);

		if (len > 0)
			target[len] = '\0';
		if (capture == NULL || len <= 0 || strcmp(target, capture) != 0)
			n++;
	}
	closedir(d);
	return n;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The byte at offset i of connection id's stream. */
static inline unsigned char pattern(unsigned id, long i)
{
	uint32_t x = id * 2654435761u ^ (uint32_t)(i / 64) * 40503u;

	return (unsigned char)((x >> 7) + (uint32_t)i);
}

/* --- server ----------------------------------------------------------- */

struct conn {
	int fd;
	unsigned char buf[16384];
	size_t have, off;
};

static int serve_fd(int v6, int type, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(v6, port, &ss);
	int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 4096) != 0)) {
		perror("server socket");
		exit(1);
	}
	return fd;
}

static void server(int ready_fd, int ctl_fd)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int lst[2] = { serve_fd(0, SOCK_STREAM, 7000), serve_fd(1, SOCK_STREAM, 7001) };
	int udp[2] = { serve_fd(0, SOCK_DGRAM, 7002), serve_fd(1, SOCK_DGRAM, 7003) };
	struct epoll_event ev, evs[256];

	for (int i = 0; i < 2; i++) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = (uint64_t)lst[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, lst[i], &ev);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = (uint64_t)udp[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, udp[i], &ev);
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = (uint64_t)ctl_fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, ctl_fd, &ev);
	(void)!write(ready_fd, "r", 1);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == (uint64_t)ctl_fd) {
				char c;

				if (read(ctl_fd, &c, 1) != 1 || c == 'q') {
					close(lst[0]); close(lst[1]);
					close(udp[0]); close(udp[1]);
					close(ep);
					return;
				}
				printf("rss %ld fds %d\n", rss_kb(), count_fds());
				fflush(stdout);
				continue;
			}
			if (tag == (uint64_t)lst[0] || tag == (uint64_t)lst[1]) {
				int c;

				while ((c = accept4((int)tag, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct conn *cn = calloc(1, sizeof(*cn));

					cn->fd = c;
					ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = cn };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			if (tag == (uint64_t)udp[0] || tag == (uint64_t)udp[1]) {
				unsigned char buf[2048];
				struct sockaddr_storage from;
				socklen_t flen = sizeof(from);
				ssize_t got;

				while ((got = recvfrom((int)tag, buf, sizeof(buf), 0,
						       (struct sockaddr *)&from, &flen)) >= 0) {
					sendto((int)tag, buf, (size_t)got, 0, (struct sockaddr *)&from, flen);
					flen = sizeof(from);
				}
				continue;
			}
			struct conn *cn = evs[i].data.ptr;

			/* Echo: read what fits, write it all back before reading more. */
			for (;;) {
				if (cn->off < cn->have) {
					ssize_t w = write(cn->fd, cn->buf + cn->off, cn->have - cn->off);

					if (w < 0) {
						if (errno == EAGAIN) {
							ev = (struct epoll_event){ .events = EPOLLOUT, .data.ptr = cn };
							epoll_ctl(ep, EPOLL_CTL_MOD, cn->fd, &ev);
							break;
						}
						goto gone;
					}
					cn->off += (size_t)w;
					continue;
				}
				if (evs[i].events & EPOLLOUT) {
					ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = cn };
					epoll_ctl(ep, EPOLL_CTL_MOD, cn->fd, &ev);
					evs[i].events = EPOLLIN;
				}
				ssize_t r = read(cn->fd, cn->buf, sizeof(cn->buf));

				if (r > 0) {
					cn->have = (size_t)r;
					cn->off = 0;
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					break;
gone:
				close(cn->fd);     /* also leaves the epoll set */
				free(cn);
				break;
			}
		}
	}
}

/* --- clients ---------------------------------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void *client_thread(void *arg)
{
	unsigned base = (unsigned)(uintptr_t)arg;
	int *fds = calloc((size_t)per_thread, sizeof(int));
	long *done = calloc((size_t)per_thread, sizeof(long));
	unsigned char out[8192], in[8192];
	struct sockaddr_storage ss;

	for (int i = 0; i < per_thread; i++) {
		int v6 = (int)((base + (unsigned)i) & 1);
		socklen_t len = addr_of(v6, v6 ? 7001 : 7000, &ss);

		fds[i] = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&ss, len) != 0)
			FAIL("connect %d: %s", i, strerror(errno));
		long now = ++sh->held;
		long max = sh->max_held;

		while (now > max && !__atomic_compare_exchange_n((long *)&sh->max_held, &max, now,
								 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
	}
	/* Every connection of every process is open here at once. */
	pthread_barrier_wait(&sh->barrier);

	/* Interleaved: one chunk per connection per pass. */
	for (int pass = 1; pass;) {
		pass = 0;
		for (int i = 0; i < per_thread; i++) {
			unsigned id = base + (unsigned)i;
			long left = bytes_per_conn - done[i];
			size_t n = left > (long)sizeof(out) ? sizeof(out) : (size_t)left;

			if (n == 0)
				continue;
			n = n > 1 + (id + (unsigned)done[i]) % 4096 ? 1 + (id + (unsigned)done[i]) % 4096 : n;
			for (size_t k = 0; k < n; k++)
				out[k] = pattern(id, done[i] + (long)k);
			if (write_all(fds[i], out, n) != 0 || read_all(fds[i], in, n) != 0)
				FAIL("echo on connection %u: %s", id, strerror(errno));
			for (size_t k = 0; k < n; k++)
				if (in[k] != pattern(id, done[i] + (long)k))
					FAIL("connection %u: byte %ld differs", id, done[i] + (long)k);
			done[i] += (long)n;
			sh->bytes += (long)n;
			pass = 1;
		}
	}
	for (int i = 0; i < per_thread; i++) {
		close(fds[i]);
		sh->held--;
	}

	/* UDP over IPv4 and IPv6: request, reply, verify. */
	for (int v6 = 0; v6 < 2; v6++) {
		socklen_t len = addr_of(v6, v6 ? 7003 : 7002, &ss);
		int u = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (u < 0 || connect(u, (struct sockaddr *)&ss, len) != 0)
			FAIL("udp connect: %s", strerror(errno));
		for (int d = 0; d < dgrams; d++) {
			size_t n = 1 + (base * 7 + (unsigned)d * 13) % 1400;
			struct pollfd p = { .fd = u, .events = POLLIN };

			for (size_t k = 0; k < n; k++)
				out[k] = pattern(base + 100000u * (unsigned)(v6 + 1), d * 2000L + (long)k);
			if (send(u, out, n, 0) != (ssize_t)n)
				FAIL("udp send: %s", strerror(errno));
			if (poll(&p, 1, 10000) != 1)
				FAIL("udp reply %d lost (v6=%d)", d, v6);
			if (recv(u, in, sizeof(in), 0) != (ssize_t)n || memcmp(in, out, n) != 0)
				FAIL("udp reply %d differs", d);
			sh->dgrams++;
			sh->bytes += (long)n;
		}
		close(u);
	}
	free(fds);
	free(done);
	return NULL;
}

static int client_process(int proc)
{
	pthread_t t[64];
	int before = count_fds();

	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, client_thread,
			       (void *)(uintptr_t)((unsigned)(proc * threads + i) * (unsigned)per_thread));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	int after = count_fds();

	if (after != before) {
		fprintf(stderr, "client %d: %d descriptors before, %d after\n", proc, before, after);
		return 1;
	}
	return sh->failed;
}

int main(int argc, char **argv)
{
	int ready[2], ctl[2], status, rc = 0;
	struct rlimit lim;
	pid_t srv;

	if (argc != 7) {
		fprintf(stderr, "usage: stress_net ROUNDS PROCS THREADS CONNS BYTES DGRAMS\n");
		return 2;
	}
	rounds = atoi(argv[1]);
	procs = atoi(argv[2]);
	threads = atoi(argv[3]);
	per_thread = atoi(argv[4]);
	bytes_per_conn = atol(argv[5]);
	dgrams = atoi(argv[6]);
	getrlimit(RLIMIT_NOFILE, &lim);
	lim.rlim_cur = lim.rlim_max < 8192 ? lim.rlim_max : 8192;
	setrlimit(RLIMIT_NOFILE, &lim);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_barrierattr_t ba;

	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->barrier, &ba, (unsigned)(procs * threads));

	if (pipe(ready) != 0 || pipe(ctl) != 0)
		return 1;
	srv = fork();
	if (srv == 0) {
		close(ready[0]);
		close(ctl[1]);
		server(ready[1], ctl[0]);
		_exit(0);
	}
	close(ready[1]);
	close(ctl[0]);
	char c;

	if (read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "the server did not start\n");
		return 1;
	}
	for (int r = 1; r <= rounds && rc == 0; r++) {
		pid_t kids[64];

		sh->max_held = 0;
		sh->bytes = 0;
		sh->dgrams = 0;
		for (int p = 0; p < procs; p++) {
			kids[p] = fork();
			if (kids[p] == 0)
				_exit(client_process(p));
		}
		for (int p = 0; p < procs; p++) {
			waitpid(kids[p], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "client %d failed (status %#x)\n", p, status);
				rc = 1;
			}
		}
		printf("round %d held %ld bytes %ld dgrams %ld ", r, (long)sh->max_held,
		       (long)sh->bytes, (long)sh->dgrams);
		fflush(stdout);
		(void)!write(ctl[1], "s", 1);     /* the server prints its rss */
		usleep(100000);
	}
	(void)!write(ctl[1], "q", 1);
	waitpid(srv, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = 1;
	if (rc == 0 && !sh->failed)
		printf("ok\n");
	return rc || sh->failed;
}
