/*
 * The kernel's file table running out, and coming back, under the socket
 * shim:
 *
 *   enfile_probe seen|unseen HOST PORT [capacity]
 *
 * ENFILE (system-wide table full) cannot be provoked on a shared machine,
 * so it is injected: a seccomp filter hands socket, socketpair, accept and
 * accept4 to a supervisor thread (SECCOMP_RET_USER_NOTIF), which fails
 * them with ENFILE while `exhausted` is set and lets them run otherwise.
 * "seen" installs the filter through syscall(), which the shim watches (it
 * then keeps to the program's own system calls); "unseen" through libc's
 * own syscall(), as if a container runtime had installed it before exec.
 *
 * The transcript (one line per call: return value and errno name) must be
 * the same on real sockets and through the shim, in both modes.  Before
 * that, RLIMIT_NOFILE gives EMFILE to accept with a connection pending:
 * the connection stays queued.  "capacity" then opens sockets until
 * refused, to show no pool slot was lost.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "add this architecture's AUDIT_ARCH"
#endif

static struct sockaddr_storage addr;
static socklen_t addr_len;
static int family;
static atomic_bool exhausted;

/* "what: ok" or "what: -1 ENAME" (descriptor numbers differ between runs). */
static void report(const char *what, long rc)
{
	if (rc >= 0)
		printf("%s: ok\n", what);
	else
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	fflush(stdout);
}

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static void parse(const char *host, int port)
{
	memset(&addr, 0, sizeof(addr));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&addr;

		s->sin6_family = family = AF_INET6;
		s->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, host, &s->sin6_addr);
		addr_len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&addr;

		s->sin_family = family = AF_INET;
		s->sin_port = htons((unsigned short)port);
		inet_pton(AF_INET, host, &s->sin_addr);
		addr_len = sizeof(*s);
	}
}

static int dial(int port_delta)
{
	struct sockaddr_storage to = addr;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (family == AF_INET6)
		((struct sockaddr_in6 *)&to)->sin6_port =
			htons(ntohs(((struct sockaddr_in6 *)&to)->sin6_port) + port_delta);
	else
		((struct sockaddr_in *)&to)->sin_port =
			htons(ntohs(((struct sockaddr_in *)&to)->sin_port) + port_delta);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, addr_len) != 0)
		fail("dial");
	return fd;
}

/* Descriptors open, and entries in the shim's socket directory. */
static int count_dir(const char *path)
{
	DIR *d = path ? opendir(path) : NULL;
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void through(int from, int to, const char *text)
{
	char buf[64] = "";
	size_t len = strlen(text);

	if (send(from, text, len, 0) != (ssize_t)len ||
	    recv(to, buf, len, MSG_WAITALL) != (ssize_t)len)
		fail("through");
	printf("through: %s\n", buf);
}

/* --- the supervisor ---------------------------------------------------- */

static void *supervise(void *arg)
{
	int nfd = *(int *)arg;

	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		memset(&req, 0, sizeof(req));
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (atomic_load(&exhausted))
			resp.error = -ENFILE;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

typedef long (*syscall_fn)(long, ...);

static void install(bool seen)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_accept4, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_accept, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	syscall_fn call = syscall;
	static int nfd;
	pthread_t t;

	if (!seen)          /* libc's own, not the one the shim exports */
		call = (syscall_fn)dlsym(dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD), "syscall");
	if (call == NULL || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fail("no_new_privs");
	nfd = (int)call(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			&prog);
	if (nfd < 0)
		fail("seccomp");
	if (pthread_create(&t, NULL, supervise, &nfd) != 0)
		fail("pthread_create");
	pthread_detach(t);
}

/* --- the phases ---------------------------------------------------------- */

/* EMFILE with a connection pending: it stays queued for a later accept. */
static void emfile(int lst)
{
	struct rlimit old, low;
	int c = dial(0), first_free = dup(0);

	close(first_free);
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)first_free;
	setrlimit(RLIMIT_NOFILE, &low);
	report("emfile accept", accept(lst, NULL, NULL));
	report("emfile socket", socket(family, SOCK_STREAM, 0));
	setrlimit(RLIMIT_NOFILE, &old);
	int a = accept(lst, NULL, NULL);

	report("accept after emfile", a);
	through(c, a, "queued through EMFILE");
	close(a);
	close(c);
}

static void enfile(int lst, bool seen)
{
	const char *dir = getenv("SOCKET_WRAPPER_DIR");
	int pending = dial(0), idle = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), sv[2];
	int fds, files;

	install(seen);
	fds = count_dir("/proc/self/fd") - 1;      /* idle is closed below */
	files = count_dir(dir);
	atomic_store(&exhausted, true);
	for (int i = 0; i < 100; i++) {       /* a lost pool slot would show */
		if (socket(family, SOCK_STREAM, 0) != -1 || errno != ENFILE)
			fail("socket gave no ENFILE");
	}
	report("socket stream", socket(family, SOCK_STREAM, 0));
	report("socket dgram", socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	report("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	report("accept", accept(lst, NULL, NULL));
	report("accept4", accept4(lst, NULL, NULL, SOCK_CLOEXEC));
	struct sockaddr_storage closed = addr;

	/* Nothing listens on PORT+1: refused, whatever the file table. */
	if (family == AF_INET6)
		((struct sockaddr_in6 *)&closed)->sin6_port =
			htons(ntohs(((struct sockaddr_in6 *)&addr)->sin6_port) + 1);
	else
		((struct sockaddr_in *)&closed)->sin_port =
			htons(ntohs(((struct sockaddr_in *)&addr)->sin_port) + 1);
	report("connect refused", connect(idle, (struct sockaddr *)&closed, addr_len));
	close(idle);
	atomic_store(&exhausted, false);

	printf("same fds: %d\n", count_dir("/proc/self/fd") == fds);
	printf("same files: %d\n", count_dir(dir) == files);
	int a = accept(lst, NULL, NULL);

	report("accept after enfile", a);
	through(pending, a, "queued through ENFILE");
	int c = dial(0), a2 = accept(lst, NULL, NULL);

	through(a2, c, "a new connection");
	report("socketpair after", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	through(sv[0], sv[1], "a pair");
	int all[] = { a, c, a2, pending, sv[0], sv[1] };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		close(all[i]);
}

/* Sockets that can be opened now, up to 64 (the shim's pool is smaller). */
static void capacity(void)
{
	int fds[64], n = 0;

	while (n < 64 && (fds[n] = socket(family, SOCK_STREAM, 0)) >= 0)
		n++;
	printf("capacity %d %s\n", n, n < 64 ? strerrorname_np(errno) : "-");
	while (n > 0)
		close(fds[--n]);
}

int main(int argc, char **argv)
{
	int lst, one = 1;

	if (argc < 4)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argv[2], atoi(argv[3]));
	lst = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lst < 0 || bind(lst, (struct sockaddr *)&addr, addr_len) != 0 || listen(lst, 16) != 0)
		fail("listen");
	emfile(lst);
	enfile(lst, strcmp(argv[1], "seen") == 0);
	close(lst);
	if (argc > 4 && strcmp(argv[4], "capacity") == 0)
		capacity();
	printf("ok\n");
	return 0;
}
