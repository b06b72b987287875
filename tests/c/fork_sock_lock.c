/*
 * fork() while another thread is blocked inside the socket shim holding
 * a socket's own lock (a blocking connect() to a listener whose backlog
 * is full): the child must still be able to use that inherited socket.
 *
 *   fork_sock_lock HOST PORT
 *
 * Prints one line per call the child makes on the inherited socket
 * ("child setsockopt 0", ...) and "child done"; a child that hangs is
 * killed by alarm() after 5 s and the probe exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_storage target;
static socklen_t target_len;
static int blocked_fd;

static void make_addr(const char *host, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&target;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&target;

	memset(&target, 0, sizeof(target));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		target_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		target_len = sizeof(*sin6);
	} else {
		fprintf(stderr, "bad host %s\n", host);
		exit(2);
	}
}

static void *connector(void *arg)
{
	(void)arg;
	/* Blocks: the listener's queue is full and nobody accepts. */
	connect(blocked_fd, (struct sockaddr *)&target, target_len);
	return NULL;
}

static void step(const char *name, int rc)
{
	printf("child %s %d\n", name, rc < 0 ? -errno : rc);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int one = 1, lst, fillers[8], nfill = 0, status;
	pthread_t th;
	pid_t pid;

	if (argc != 3)
		return 2;
	make_addr(argv[1], atoi(argv[2]));
	lst = socket(target.ss_family, SOCK_STREAM, 0);
	if (lst < 0 || bind(lst, (struct sockaddr *)&target, target_len) != 0 ||
	    listen(lst, 0) != 0) {
		perror("listener");
		return 2;
	}
	/* Fill the queue: a blocking connect that would block is detected
	 * with a non-blocking one first. */
	while (nfill < 8) {
		int fd = socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (connect(fd, (struct sockaddr *)&target, target_len) != 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			break;
		}
		fillers[nfill++] = fd;
	}
	printf("queued %d\n", nfill);
	blocked_fd = socket(target.ss_family, SOCK_STREAM, 0);
	setsockopt(blocked_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	pthread_create(&th, NULL, connector, NULL);
	usleep(300 * 1000);     /* the connector is now blocked in the shim */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_storage name;
		socklen_t len = sizeof(name);

		alarm(5);
		step("setsockopt", setsockopt(blocked_fd, SOL_SOCKET, SO_KEEPALIVE, &one,
					      sizeof(one)));
		step("getsockopt", getsockopt(blocked_fd, SOL_SOCKET, SO_KEEPALIVE, &one,
					      &(socklen_t){ sizeof(one) }));
		step("getsockname", getsockname(blocked_fd, (struct sockaddr *)&name, &len));
		step("bind", bind(blocked_fd, (struct sockaddr *)&target, target_len));
		step("listen", listen(blocked_fd, 1));
		step("connect", connect(blocked_fd, (struct sockaddr *)&target, target_len) == 0
			 ? 0 : (errno == EALREADY || errno == EISCONN || errno == EINVAL ||
				errno == EAGAIN || errno == EINPROGRESS || errno == ECONNREFUSED)
			 ? 1 : -1);
		puts("child done");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child status %d signal %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	/* Let the blocked connect through, then finish. */
	{
		int c = accept(lst, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	fcntl(lst, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 16; i++) {
		int c = accept(lst, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	pthread_join(th, NULL);
	for (int i = 0; i < nfill; i++)
		close(fillers[i]);
	close(blocked_fd);
	close(lst);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
