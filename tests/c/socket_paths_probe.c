/*
 * Every path a wrapped socket can travel keeps its fake identity:
 * dup/dup2/dup3/F_DUPFD/F_DUPFD_CLOEXEC, fork, threads, SCM_RIGHTS (many
 * sockets in one message), exec, and close_range followed by reuse of the
 * numbers.  Prints "name: ok" or "name: FAIL (...)" per check.
 *
 *     socket_paths_probe PORT              (run under the shim)
 *     socket_paths_probe --exec-child FD   (internal: the exec'd image)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void check(const char *name, int ok, const char *detail)
{
	printf("%s: %s%s%s%s\n", name, ok ? "ok" : "FAIL", ok ? "" : " (", ok ? "" : detail,
	       ok ? "" : ")");
	if (!ok)
		failures++;
}

static const char *peer_of(int fd)
{
	static char text[64];
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getpeername(fd, (struct sockaddr *)&sin, &len) != 0 || sin.sin_family != AF_INET)
		return strerror(errno);
	snprintf(text, sizeof(text), "%s:%d", inet_ntoa(sin.sin_addr), ntohs(sin.sin_port));
	return text;
}

static int listener(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.10", &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 256) != 0) {
		perror("listener");
		exit(2);
	}
	return fd;
}

static int client(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.10", &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static int is_server_peer(int fd)
{
	return strcmp(peer_of(fd), "127.0.0.10:") > 0 &&
	       strncmp(peer_of(fd), "127.0.0.10:", 11) == 0;
}

static void check_dups(int fd)
{
	int d1 = dup(fd), d2 = dup2(fd, 100), d3 = dup3(fd, 101, O_CLOEXEC);
	int d4 = fcntl(fd, F_DUPFD, 200), d5 = fcntl(fd, F_DUPFD_CLOEXEC, 300);

	check("dup", is_server_peer(d1), peer_of(d1));
	check("dup2", d2 == 100 && is_server_peer(d2), peer_of(d2));
	check("dup3", d3 == 101 && is_server_peer(d3), peer_of(d3));
	check("F_DUPFD", d4 >= 200 && is_server_peer(d4), peer_of(d4));
	check("F_DUPFD_CLOEXEC", d5 >= 300 && is_server_peer(d5), peer_of(d5));
	close(fd);
	check("dup_survives_close_of_original", is_server_peer(d1), peer_of(d1));
	check("send_on_dup", send(d5, "d", 1, 0) == 1, strerror(errno));
	close(d1);
	close(d2);
	close(d3);
	close(d4);
	close(d5);
}

static void *thread_send(void *arg)
{
	int fd = *(int *)arg;
	char buf[1000];

	memset(buf, 't', sizeof(buf));
	for (int i = 0; i < 20; i++)
		if (send(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			return (void *)1;
	return NULL;
}

static void check_threads(int lfd, int port)
{
	pthread_t t[4];
	int fds[4], servers[4];
	long total = 0;
	void *res;
	int bad = 0;

	for (int i = 0; i < 4; i++) {
		fds[i] = client(port);
		servers[i] = accept(lfd, NULL, NULL);
		pthread_create(&t[i], NULL, thread_send, &fds[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &res);
		bad |= res != NULL;
		shutdown(fds[i], SHUT_WR);
		char buf[4096];
		ssize_t n;
		while ((n = recv(servers[i], buf, sizeof(buf), 0)) > 0)
			total += n;
		close(fds[i]);
		close(servers[i]);
	}
	check("threads_bytes", !bad && total == 4 * 20 * 1000, "byte count");
}

static void check_fork(int lfd, int port)
{
	int fd = client(port), s = accept(lfd, NULL, NULL), status;
	pid_t pid = fork();
	char c = 0;

	if (pid == 0)
		_exit(is_server_peer(fd) && send(fd, "f", 1, 0) == 1 ? 0 : 1);
	waitpid(pid, &status, 0);
	check("fork_child_sees_identity", WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	check("fork_child_data", recv(s, &c, 1, 0) == 1 && c == 'f', "recv");
	check("parent_after_fork", is_server_peer(fd), peer_of(fd));
	close(fd);
	close(s);
}

#define NPASS 100

static void check_scm_rights(int lfd, int port)
{
	int pair[2], fds[NPASS], servers[NPASS], status;
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	for (int i = 0; i < NPASS; i++) {
		fds[i] = client(port);
		servers[i] = accept(lfd, NULL, NULL);
	}
	pid = fork();
	if (pid == 0) {
		char data, ctl[CMSG_SPACE(sizeof(int) * NPASS)];
		struct iovec iov = { &data, 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				      .msg_controllen = sizeof(ctl) };
		int got[NPASS], ok = 1;

		close(pair[0]);
		/* Numbers the child had for other things are reused. */
		for (int i = 0; i < NPASS; i++)
			close(fds[i]);
		if (recvmsg(pair[1], &msg, 0) != 1)
			_exit(3);
		memcpy(got, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(got));
		for (int i = 0; i < NPASS; i++)
			ok &= is_server_peer(got[i]) && send(got[i], "p", 1, 0) == 1;
		_exit(ok ? 0 : 4);
	}
	close(pair[1]);
	{
		char data = 'x', ctl[CMSG_SPACE(sizeof(int) * NPASS)];
		struct iovec iov = { &data, 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				      .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * NPASS);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * NPASS);
		sendmsg(pair[0], &msg, 0);
	}
	waitpid(pid, &status, 0);
	check("scm_rights_100_sockets", WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	int all = 1;
	for (int i = 0; i < NPASS; i++) {
		char c = 0;
		all &= recv(servers[i], &c, 1, 0) == 1 && c == 'p';
		close(fds[i]);
		close(servers[i]);
	}
	check("scm_rights_data", all, "recv");
	close(pair[0]);
}

static void check_exec(int lfd, int port, const char *self)
{
	int fd = client(port), s = accept(lfd, NULL, NULL), status;
	char arg[16], c = 0;
	pid_t pid = fork();

	if (pid == 0) {
		snprintf(arg, sizeof(arg), "%d", fd);
		execl(self, self, "--exec-child", arg, (char *)NULL);
		_exit(5);
	}
	waitpid(pid, &status, 0);
	check("exec_keeps_identity", WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	check("exec_child_data", recv(s, &c, 1, 0) == 1 && c == 'e', "recv");
	close(fd);
	close(s);
}

static void check_close_range(int lfd, int port)
{
	int a = client(port), b = accept(lfd, NULL, NULL), p[2];
	char c;

	close_range((unsigned)(a < b ? a : b), (unsigned)(a < b ? b : a), 0);
	if (pipe(p) != 0)
		return;
	/* The pipe reuses a socket's number: it must act as a plain pipe. */
	check("close_range_reuse_write", write(p[1], "z", 1) == 1, strerror(errno));
	check("close_range_reuse_read", read(p[0], &c, 1) == 1 && c == 'z', strerror(errno));
	close(p[0]);
	close(p[1]);
}

static void check_raw_close(int lfd, int port)
{
	int a = client(port), b = accept(lfd, NULL, NULL), fd;
	char c;

	syscall(3 /* SYS_close */, a);
	fd = open("/dev/zero", O_RDONLY);
	/* Closed behind the shim's back: the number is now a file. */
	check("raw_close_reuse", fd == a && read(fd, &c, 1) == 1 && c == 0, strerror(errno));
	close(fd);
	close(b);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--exec-child") == 0) {
		int fd = atoi(argv[2]);
		return is_server_peer(fd) && send(fd, "e", 1, 0) == 1 ? 0 : 1;
	}
	int port = atoi(argv[1]), lfd = listener(port);

	check_dups(client(port));
	close(accept(lfd, NULL, NULL));
	check_threads(lfd, port);
	check_fork(lfd, port);
	check_scm_rights(lfd, port);
	check_exec(lfd, port, "/proc/self/exe");
	check_close_range(lfd, port);
	check_raw_close(lfd, port);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
