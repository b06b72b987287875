#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bindfile.h"
#include "log.h"
#include "socket_lock.h"
#include "symbols_real.h"

#define SW_EPHEMERAL_LOW 32768u
#define SW_EPHEMERAL_HIGH 60999u

socklen_t sw_unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path, path, sizeof(sun->sun_path) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun->sun_path) + 1);
}

socklen_t sw_unix_abstract(const char *path, struct sockaddr_un *sun)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n > sizeof(sun->sun_path) - 1)
		n = sizeof(sun->sun_path) - 1;
	memcpy(sun->sun_path + 1, path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int sw_bind_path(int fd, const char *path, bool abstract)
{
	struct sockaddr_un sun;
	socklen_t len = abstract ? sw_unix_abstract(path, &sun) : sw_unix_addr(path, &sun);

	return REAL(bind)(fd, (struct sockaddr *)&sun, len);
}

/* Sticky plus owner-only: upstream never sets the sticky bit, so it tells
 * our listeners apart; and only this user may connect to them. */
#define SW_OUR_LISTENER_MODE (S_ISVTX | S_IRWXU)

void sw_mark_listener(const struct sw_sock *sock)
{
	if (sock->path[0] != '\0' && sock->file_owner == REAL(getpid)())
		chmod(sock->path, SW_OUR_LISTENER_MODE);
}

bool sw_listener_is_ours(const char *path, bool *exists)
{
	static _Atomic int said;
	struct stat st;

	*exists = stat(path, &st) == 0;
	if (*exists && st.st_uid != sw_config()->dir_uid && st.st_uid != 0) {
		/* Planted by another user: never talk to it. */
		if (!atomic_exchange(&said, 1))
			cw_log(CW_ERROR, "%s belongs to uid %u, not to the owner of "
			       "the socket directory: treating it as absent",
			       path, (unsigned)st.st_uid);
		*exists = false;
	}
	return *exists && (st.st_mode & S_ISVTX);
}

/*
 * Is a live socket bound to path?  /proc/net/unix lists every bound
 * AF_UNIX socket of this network namespace by path, which answers without
 * touching the socket (a probing connect() would show up at a listener as
 * a spurious connection).  When it cannot be read, the file counts as live:
 * refusing a bind is safe, stealing a live address is not.
 */
static bool sw_resolve_alias(const char *path, char *target, size_t size);

static ssize_t sw_read_fd(void *ctx, char *buf, size_t len)
{
	return REAL(read)(*(int *)ctx, buf, len);
}

static bool sw_path_live(const char *path)
{
	int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
	bool live;

	if (fd < 0) {
		/* bind(2) has no errno for this (the kernel needs no descriptor
		 * to bind): refuse, and say why. */
		cw_log(CW_WARN, "cannot tell whether %s is a stale socket file (reading "
		       "/proc/net/unix: %s): the bind gets EADDRINUSE", path, strerror(errno));
		return true;
	}
	live = sw_unix_lists_path(sw_read_fd, &fd, path);
	close(fd);
	return live;
}

static void sw_record_bind(struct sw_sock *sock, const char *path)
{
	/* Owner-only, whatever the umask: other users may not connect or send. */
	chmod(path, S_IRWXU);
	strcpy(sock->path, path);
	sock->file_owner = REAL(getpid)();
	sock->bound = true;
}

/* A file exists at path: take it over if no live socket has it.  The
 * directory lock keeps two processes from reclaiming the same file. */
static int sw_reclaim(int fd, const char *path)
{
	int dir_fd = open(sw_config()->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1, err = EADDRINUSE;

	char target[SW_SUN_PATH];

	if (dir_fd < 0) {
		cw_log(CW_WARN, "cannot lock %s to reclaim the stale socket file %s: %s; "
		       "the bind gets EADDRINUSE", sw_config()->dir, path, strerror(errno));
		errno = EADDRINUSE;
		return -1;
	}
	flock(dir_fd, LOCK_EX);
	/* A dual-stack IPv6 socket's IPv4 name is a symlink to its file. */
	if (!sw_resolve_alias(path, target, sizeof(target)) || !sw_path_live(target)) {
		CW_LOG(CW_DEBUG, "reclaiming stale socket file %s", path);
		unlink(path);
		rc = sw_bind_path(fd, path, false);
		err = rc == 0 ? 0 : errno;
	}
	close(dir_fd);                  /* also releases the lock */
	errno = err;
	return rc;
}

/* The socket file behind path: itself, or a symlink's target. */
static bool sw_resolve_alias(const char *path, char *target, size_t size)
{
	char link[SW_SUN_PATH];
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n < 0)
		return snprintf(target, size, "%s", path) < (int)size;
	link[n] = '\0';
	if (link[0] == '/')
		return snprintf(target, size, "%s", link) < (int)size;
	return snprintf(target, size, "%s/%s", sw_config()->dir, link) < (int)size;
}

int sw_dual_check(const struct sw_endpoint *v4ep)
{
	char alias[SW_SUN_PATH], target[SW_SUN_PATH];
	struct stat st;

	if (!sw_endpoint_path(v4ep, alias, sizeof(alias)) || lstat(alias, &st) != 0)
		return 0;
	if (sw_resolve_alias(alias, target, sizeof(target)) && sw_path_live(target)) {
		errno = EADDRINUSE;
		return -1;
	}
	unlink(alias);           /* left by a process that is gone */
	return 0;
}

void sw_dual_alias(struct sw_sock *sock, const struct sw_endpoint *v4ep)
{
	char alias[SW_SUN_PATH];
	const char *name = strrchr(sock->path, '/');

	if (name == NULL || !sw_endpoint_path(v4ep, alias, sizeof(alias)))
		return;
	/* A relative target keeps working whichever spelling of the directory
	 * a client uses. */
	if (symlink(name + 1, alias) == 0)
		strcpy(sock->alias, alias);
	else
		CW_LOG(CW_DEBUG, "no IPv4 name for %s: %s", sock->path, strerror(errno));
}

int sw_bind_endpoint(struct sw_sock *sock, int fd, const struct sw_endpoint *ep)
{
	char path[SW_SUN_PATH];

	if (!sw_endpoint_path(ep, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (sw_bind_path(fd, path, false) != 0) {
		if (errno != EADDRINUSE || sw_reclaim(fd, path) != 0) {
			if (errno == EACCES || errno == ENOENT || errno == EROFS)
				cw_log(CW_ERROR, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
	}
	sw_record_bind(sock, path);
	return 0;
}

/* Lock-free: sendto() from a signal handler may autobind while this
 * thread was choosing a port. */
static unsigned sw_next_port_start(void)
{
	static _Atomic unsigned counter;
	unsigned range = SW_EPHEMERAL_HIGH - SW_EPHEMERAL_LOW + 1;
	unsigned n = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);

	return (n * 2654435761u + (unsigned)REAL(getpid)() * 40503u) % range;
}

static int sw_bind_port_range(struct sw_sock *sock, int fd, unsigned iface, bool v4,
			      bool abstract)
{
	unsigned range = SW_EPHEMERAL_HIGH - SW_EPHEMERAL_LOW + 1;
	unsigned start = sw_next_port_start();
	struct sw_endpoint ep = { sw_type_letter(v4, sock->type), iface, 0 };
	char path[SW_SUN_PATH];

	for (unsigned i = 0; i < range; i++) {
		ep.port = SW_EPHEMERAL_LOW + (start + i) % range;
		if (!sw_endpoint_path(&ep, path, sizeof(path))) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (sw_bind_path(fd, path, abstract) == 0) {
			if (abstract)
				sock->bound = true;      /* no file to remove later */
			else
				sw_record_bind(sock, path);
			return (int)ep.port;
		}
		if (errno != EADDRINUSE)
			return -1;
	}
	errno = EADDRINUSE;
	return -1;
}

int sw_bind_ephemeral(struct sw_sock *sock, int fd, unsigned iface, bool v4)
{
	return sw_bind_port_range(sock, fd, iface, v4, false);
}

int sw_autobind(struct sw_sock *sock, int fd, bool v4, bool abstract)
{
	unsigned iface = sw_default_iface();
	int port;

	if (sock->bound)
		return 0;
	if (iface == 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	port = sw_bind_port_range(sock, fd, iface, v4, abstract);
	if (port < 0) {
		if (errno == EADDRINUSE)
			errno = EADDRNOTAVAIL;   /* what connect() says when ports run out */
		return -1;
	}
	sock->local_len = sw_host_sockaddr(iface, sock->family, v4, &sock->local);
	if (sock->family == AF_INET)
		((struct sockaddr_in *)&sock->local)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&sock->local)->sin6_port = htons((uint16_t)port);
	return 0;
}
