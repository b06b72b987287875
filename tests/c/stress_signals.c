/*
 * Signals and fork against the socket shim.
 *
 *   stress_signals eintr HOST PORT    transcript of blocking calls hit by a
 *                                     signal (compare with and without the shim)
 *   stress_signals handler HOST PORT SECONDS
 *                                     a SIGALRM handler closes and sends on
 *                                     wrapped sockets while the main thread
 *                                     creates, binds, connects and closes
 *   stress_signals forkstorm HOST PORT FORKS
 *                                     threads keep using sockets while the
 *                                     main thread forks (children use the
 *                                     shim, some exec) -- no deadlock, no leak
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *host;
static int port;
static int family;

static socklen_t addr_of(int p, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)p);
		inet_pton(AF_INET6, host, &s->sin6_addr);
		return sizeof(*s);
	}
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	s->sin_family = AF_INET;
	s->sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, host, &s->sin_addr);
	return sizeof(*s);
}

static int make(int type, int p, int listening)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(p, &ss);
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (listening && listen(fd, 128) != 0)) {
		perror("make");
		exit(1);
	}
	return fd;
}

static int dial(int type, int p)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(p, &ss);
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
		perror("dial");
		exit(1);
	}
	return fd;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* --- eintr ------------------------------------------------------------ */

static void on_alarm(int sig)
{
	(void)sig;
}

static void arm(int restart, long usec)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { .it_value = { 0, usec } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void report(const char *what, long rc)
{
	printf("%s: %ld %s\n", what, rc, rc < 0 ? strerrorname_np(errno) : "");
	fflush(stdout);
}

struct late { int fd; int type; int p; };

/* Sends one byte (or connects) 300 ms later, from another thread. */
static void *late_sender(void *arg)
{
	struct late *l = arg;

	usleep(300000);
	if (l->type == SOCK_STREAM && l->fd < 0) {
		int c = dial(SOCK_STREAM, l->p);

		usleep(200000);
		close(c);
	} else {
		(void)!send(l->fd, "x", 1, 0);
	}
	return NULL;
}

static void eintr(void)
{
	char buf[16];
	int lst = make(SOCK_STREAM, port, 1);
	int cli = dial(SOCK_STREAM, port);
	int srv = accept(lst, NULL, NULL);
	int udp = make(SOCK_DGRAM, port + 1, 0);
	int udpc = dial(SOCK_DGRAM, port + 1);
	struct timeval tv = { 2, 0 };
	pthread_t t;
	struct late l;

	/* Without SA_RESTART every blocking call fails with EINTR. */
	arm(0, 50000);
	report("accept", accept(lst, NULL, NULL));
	arm(0, 50000);
	report("recv", recv(srv, buf, sizeof(buf), 0));
	arm(0, 50000);
	report("read", read(srv, buf, sizeof(buf)));
	arm(0, 50000);
	report("recvfrom-udp", recvfrom(udp, buf, sizeof(buf), 0, NULL, NULL));
	arm(0, 50000);
	report("read-udp", read(udp, buf, sizeof(buf)));

	/* With SA_RESTART the call restarts and completes when data comes. */
	l = (struct late){ cli, SOCK_STREAM, port };
	pthread_create(&t, NULL, late_sender, &l);
	arm(1, 50000);
	report("recv-restart", recv(srv, buf, sizeof(buf), 0));
	pthread_join(t, NULL);
	l = (struct late){ udpc, SOCK_DGRAM, port + 1 };
	pthread_create(&t, NULL, late_sender, &l);
	arm(1, 50000);
	report("recvfrom-udp-restart", recvfrom(udp, buf, sizeof(buf), 0, NULL, NULL));
	pthread_join(t, NULL);
	l = (struct late){ -1, SOCK_STREAM, port };
	pthread_create(&t, NULL, late_sender, &l);
	arm(1, 50000);
	int a = accept(lst, NULL, NULL);

	report("accept-restart", a >= 0 ? 0 : -1);
	pthread_join(t, NULL);
	close(a);

	/* socket(7): with a receive timeout, even SA_RESTART gives EINTR. */
	setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(lst, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	arm(1, 50000);
	report("recv-timeo-restart", recv(srv, buf, sizeof(buf), 0));
	arm(1, 50000);
	report("accept-timeo-restart", accept(lst, NULL, NULL));
	tv.tv_sec = 0;
	tv.tv_usec = 100000;
	setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	report("recv-timeo", recv(srv, buf, sizeof(buf), 0));

	/* A blocking send into a full socket, interrupted. */
	int sz = 4096;

	setsockopt(cli, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	static char big[1 << 20];
	long n;

	/* Interrupted after moving some bytes: the count, not EINTR. */
	arm(0, 200000);
	n = send(cli, big, sizeof(big), 0);
	report("send-partial", n > 0 && n < (long)sizeof(big) ? 1 : n);
	/* Interrupted before moving any: EINTR. */
	arm(0, 100000);
	report("send-full", send(cli, big, sizeof(big), 0));
	close(cli); close(srv); close(lst); close(udp); close(udpc);
	printf("fds %d\n", count_fds());
}

/* --- handler ---------------------------------------------------------- */

#define NVICTIMS 64
static _Atomic int victims[NVICTIMS];
static int handler_udp = -1;
static _Atomic long handled, closed_in_handler, sent_in_handler;

static void on_alarm_work(int sig)
{
	int saved = errno;
	long k = handled++;
	int fd = atomic_exchange(&victims[k % NVICTIMS], -1);

	(void)sig;
	if (fd >= 0 && close(fd) == 0)
		closed_in_handler++;
	if (send(handler_udp, "h", 1, MSG_DONTWAIT) == 1)
		sent_in_handler++;
	errno = saved;
}

static pthread_t main_thread;
static _Atomic int signaler_stop;

/* Signals the main thread as fast as it can: the handler lands anywhere,
 * including inside the shim's critical sections. */
static void *signaler(void *arg)
{
	(void)arg;
	while (!signaler_stop) {
		pthread_kill(main_thread, SIGALRM);
		for (volatile int i = 0; i < 200; i++)
			;
	}
	return NULL;
}

static void handler(int seconds)
{
	pthread_t sig_thread;
	int before = count_fds();
	struct sigaction sa = { .sa_handler = on_alarm_work, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 200 }, .it_interval = { 0, 200 } };
	int sink = make(SOCK_DGRAM, port, 0);
	int lst = make(SOCK_STREAM, port + 1, 1);
	time_t end = time(NULL) + seconds;
	long loops = 0;
	char buf[64];

	handler_udp = dial(SOCK_DGRAM, port);
	for (int i = 0; i < NVICTIMS; i++)
		victims[i] = -1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	main_thread = pthread_self();
	pthread_create(&sig_thread, NULL, signaler, NULL);

	while (time(NULL) < end) {
		/* Main-thread work inside the shim: every process-wide lock. */
		for (int i = 0; i < NVICTIMS; i++) {
			if (victims[i] >= 0)
				continue;
			int fd = socket(family, (i & 1 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
			struct sockaddr_storage ss;
			socklen_t len = addr_of(0, &ss);

			if (fd < 0)
				continue;
			if (i % 4 == 0)
				bind(fd, (struct sockaddr *)&ss, len);       /* ephemeral port */
			else if (i % 4 == 2 && connect(fd, (struct sockaddr *)&ss,
						       addr_of(port + 1, &ss)) == 0) {
				int a = accept(lst, NULL, NULL);

				if (a >= 0)
					close(a);
			}
			int expected = -1;

			if (!atomic_compare_exchange_strong(&victims[i], &expected, fd))
				close(fd);
		}
		while (recv(sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		loops++;
	}
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	signaler_stop = 1;
	pthread_join(sig_thread, NULL);
	for (int i = 0; i < NVICTIMS; i++) {
		int fd = atomic_exchange(&victims[i], -1);

		if (fd >= 0)
			close(fd);
	}
	close(handler_udp);
	close(sink);
	close(lst);
	printf("loops %ld signals %ld closed %ld sent %ld fds-start %d fds-end %d\n", loops,
	       (long)handled, (long)closed_in_handler, (long)sent_in_handler, before, count_fds());
}

/* --- forkstorm -------------------------------------------------------- */

static _Atomic int stop;
static int storm_lst;

static void *busy(void *arg)
{
	long id = (long)arg;
	char buf[256];

	while (!stop) {
		int c = dial(id & 1 ? SOCK_DGRAM : SOCK_STREAM, id & 1 ? port + 1 : port);

		if (!(id & 1)) {
			int a = accept(storm_lst, NULL, NULL);

			if (a < 0 || send(c, "ping", 4, 0) != 4 || recv(a, buf, 4, MSG_WAITALL) != 4) {
				fprintf(stderr, "busy %ld: %s\n", id, strerror(errno));
				exit(1);
			}
			close(a);
		} else {
			(void)!send(c, "u", 1, 0);
		}
		close(c);
	}
	return NULL;
}

static void forkstorm(int forks, const char *self)
{
	pthread_t t[6];
	int udp;
	int failed = 0;

	storm_lst = make(SOCK_STREAM, port, 1);
	udp = make(SOCK_DGRAM, port + 1, 0);
	int before = count_fds();

	for (long i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, busy, (void *)i);
	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			/* In the child: the shim's locks must be usable at once. */
			int s = socket(family, SOCK_DGRAM, 0);
			struct sockaddr_storage ss;
			socklen_t len = addr_of(0, &ss);

			if (s < 0 || bind(s, (struct sockaddr *)&ss, len) != 0)
				_exit(3);
			close(s);
			close(storm_lst);       /* inherited: the parent keeps its file */
			if (i % 4 == 0) {
				execl(self, self, "child", (char *)NULL);
				_exit(4);
			}
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "child %d: status %#x\n", i, status);
			failed = 1;
		}
	}
	stop = 1;
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	/* The listener still works after all those children closed it. */
	int c = dial(SOCK_STREAM, port);
	int a = accept(storm_lst, NULL, NULL);

	if (a < 0)
		failed = 1;
	close(a);
	close(c);
	int after = count_fds();

	close(storm_lst);
	close(udp);
	printf("forks %d failed %d fds-before %d fds-after %d\n", forks, failed, before, after);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0) {
		/* Exec'd child: a socket of its own, then out. */
		int s = socket(AF_INET, SOCK_STREAM, 0);

		return s < 0;
	}
	if (argc < 4)
		return 2;
	host = argv[2];
	port = atoi(argv[3]);
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "eintr") == 0)
		eintr();
	else if (strcmp(argv[1], "handler") == 0 && argc == 5)
		handler(atoi(argv[4]));
	else if (strcmp(argv[1], "forkstorm") == 0 && argc == 5)
		forkstorm(atoi(argv[4]), argv[0]);
	else
		return 2;
	return 0;
}
