/* connect(): TCP to a fake host's socket file, UDP sets the default peer. */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "bindfile.h"
#include "calls.h"
#include "pcap.h"
#include "socket_lock.h"

static bool sw_nonblocking(int fd)
{
	int flags = REAL(fcntl)(fd, F_GETFL);

	return flags >= 0 && (flags & O_NONBLOCK);
}

/*
 * A refused non-blocking connect must look refused to poll() and epoll on
 * the very same file description (nginx registers it with epoll before it
 * calls connect): the socket is connected to this process's "refuser", a
 * listener whose end is closed at once, so the socket reports the hang-up
 * to any poller, and SO_ERROR (or the next call) says ECONNREFUSED.
 */
static int sw_refuser_fd = -1;
static char sw_refuser_name[64];

/* Still our listener?  The program may have closed the descriptor (a
 * close_range(), say) and the number may now be something else. */
static bool sw_refuser_intact(void)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char path[SW_SUN_PATH];

	if (REAL(getsockname)(sw_refuser_fd, (struct sockaddr *)&sun, &len) != 0 ||
	    sun.sun_family != AF_UNIX || sun.sun_path[0] != '\0')
		return false;
	sw_sun_path(&sun, len, path, sizeof(path));
	return strcmp(path, sw_refuser_name) == 0;
}

static int sw_refuser(void)
{
	struct sockaddr_un sun;
	char *name = sw_refuser_name;
	int fd;

	if (sw_refuser_fd >= 0 && sw_refuser_intact())
		return sw_refuser_fd;
	fd = REAL(socket)(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	snprintf(name, sizeof(sw_refuser_name), "cwrap-refuser-%d-%p", (int)REAL(getpid)(),
		 (void *)&sun);
	if (REAL(bind)(fd, (struct sockaddr *)&sun, sw_unix_abstract(name, &sun)) != 0 ||
	    REAL(listen)(fd, 64) != 0) {
		REAL(close)(fd);
		return -1;
	}
	sw_refuser_fd = fd;
	return fd;
}

static void sw_make_refused(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int listener, conn;

	cw_lock(&sw_refuser_lock);
	listener = sw_refuser();
	if (listener >= 0 && REAL(getsockname)(listener, (struct sockaddr *)&sun, &len) == 0 &&
	    REAL(connect)(fd, (struct sockaddr *)&sun, len) == 0) {
		/* Whoever accepts a refuser connection closes it at once. */
		while ((conn = REAL(accept4)(listener, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			REAL(close)(conn);
	}
	cw_unlock(&sw_refuser_lock);
}

static int sw_peer_path(struct sw_sock *sock, const struct sockaddr *addr, bool *v4,
			char *path, bool *nobody)
{
	unsigned iface = 0;
	enum sw_addr_kind kind = sw_addr_classify(addr, &iface, v4);

	*nobody = false;
	switch (kind) {
	case SW_ADDR_ANY:
		iface = sw_default_iface();
		if (iface == 0)
			return ENETUNREACH;
		break;
	case SW_ADDR_HOST:
		break;
	case SW_ADDR_LOOPBACK_OTHER:
		*nobody = true;          /* a local address where nothing can listen */
		iface = 0;
		break;
	case SW_ADDR_BROADCAST:
		if (sock->type == SOCK_STREAM)
			return ENETUNREACH;
		if (!sock->opts.broadcast)
			return EACCES;
		*nobody = true;          /* sends fan out (send.c) */
		break;
	default:
		return ENETUNREACH;
	}
	if (!*nobody) {
		struct sw_endpoint ep = { sw_type_letter(*v4, sock->type), iface,
					  sw_addr_port(addr) };

		if (!sw_endpoint_path(&ep, path, SW_SUN_PATH))
			return ENAMETOOLONG;
	}
	return 0;
}

static void sw_set_peer(struct sw_sock *sock, const struct sockaddr *addr, bool v4)
{
	memset(&sock->peer, 0, sizeof(sock->peer));
	if (sock->family == AF_INET6 && addr->sa_family == AF_INET) {
		/* An IPv6 UDP socket connected to an IPv4 address: v4-mapped. */
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sock->peer;
		const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = sin->sin_port;
		sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], &sin->sin_addr, 4);
		sock->peer_len = sizeof(*sin6);
	} else {
		sock->peer_len = sock->family == AF_INET ? sizeof(struct sockaddr_in)
							 : sizeof(struct sockaddr_in6);
		memcpy(&sock->peer, addr, sock->peer_len);
	}
	(void)v4;
}

/* A socket bound to 0.0.0.0:p that connects shows its host's address. */
static void sw_local_concrete(struct sw_sock *sock, bool v4)
{
	in_port_t port = sock->family == AF_INET
		? ((struct sockaddr_in *)&sock->local)->sin_port
		: ((struct sockaddr_in6 *)&sock->local)->sin6_port;

	sock->local_len = sw_host_sockaddr(sw_default_iface(), sock->family, v4, &sock->local);
	if (sock->family == AF_INET)
		((struct sockaddr_in *)&sock->local)->sin_port = port;
	else
		((struct sockaddr_in6 *)&sock->local)->sin6_port = port;
	sock->wildcard = false;
}

/*
 * A connected stream socket needs no file: the peer learnt its name at
 * connect time, and nobody can connect to it.  Removing the file now keeps
 * the directory to listeners only (and saves the unlink at close).
 */
static void sw_release_client_file(struct sw_sock *sock)
{
	if (sock->path[0] != '\0' && sock->file_owner == REAL(getpid)()) {
		unlink(sock->path);
		sock->path[0] = '\0';
	}
}

static int sw_connect_stream(struct sw_sock *sock, int fd, const struct sockaddr *addr)
{
	char path[SW_SUN_PATH];
	bool v4, nobody, nonblock;
	struct sockaddr_un sun;
	int err, rc;

	if (sock->nonblock_connect) {
		/* The AF_UNIX connect finished at once: the first connect() after
		 * a non-blocking one completes says 0, later ones EISCONN. */
		sock->nonblock_connect = false;
		return 0;
	}
	if (sock->connected)
		return sw_fail(EISCONN);
	if (sock->listening)
		return sw_fail(EISCONN);
	err = sw_peer_path(sock, addr, &v4, path, &nobody);
	if (err)
		return sw_fail(err);
	if (!nobody && !sock->bound) {
		bool exists;
		bool ours = sw_listener_is_ours(path, &exists);

		if (!exists)
			nobody = true;
		/* Our listener learns a client's name from its abstract address:
		 * no file to create and remove for every connection.  Upstream's
		 * listeners need a file they can parse. */
		if (sw_autobind(sock, fd, v4, ours) != 0)
			return -1;
	} else if (sw_autobind(sock, fd, v4, false) != 0) {
		return -1;
	}
	nonblock = sw_nonblocking(fd);
	if (__builtin_expect(sw_pcap_on, 0))
		sw_pcap_tcp_connect(sock, fd, addr, !nobody);
	if (nobody) {
		rc = -1;
		errno = ECONNREFUSED;
	} else {
		rc = REAL(connect)(fd, (struct sockaddr *)&sun, sw_unix_addr(path, &sun));
	}
	if (rc != 0) {
		if (__builtin_expect(sw_pcap_on, 0))
			sw_pcap_tcp_connect_failed(sock, !nobody);
		if (errno == ENOENT || errno == ECONNREFUSED) {
			if (!nonblock)
				return sw_fail(ECONNREFUSED);
			atomic_store(&sock->pending_error, ECONNREFUSED);
			sw_make_refused(fd);
			return sw_fail(EINPROGRESS);
		}
		return -1;
	}
	sw_set_peer(sock, addr, v4);
	if (sock->wildcard)
		sw_local_concrete(sock, v4);
	sw_release_client_file(sock);
	if (nonblock) {
		/* TCP never completes a non-blocking connect within the call. */
		sock->nonblock_connect = true;
		sock->connected = true;
		return sw_fail(EINPROGRESS);
	}
	sock->connected = true;
	return 0;
}

static int sw_connect_dgram(struct sw_sock *sock, int fd, const struct sockaddr *addr)
{
	char path[SW_SUN_PATH];
	bool v4, nobody;
	struct sockaddr_un sun;
	int err;

	if (addr->sa_family == AF_UNSPEC) {
		struct sockaddr unspec = { .sa_family = AF_UNSPEC };

		REAL(connect)(fd, &unspec, sizeof(unspec));
		sock->connected = sock->peer_deferred = false;
		sock->peer_len = 0;
		return 0;
	}
	err = sw_peer_path(sock, addr, &v4, path, &nobody);
	if (err)
		return sw_fail(err);
	if (sw_autobind(sock, fd, v4, false) != 0)
		return -1;
	sock->peer_deferred = true;
	if (!nobody && REAL(connect)(fd, (struct sockaddr *)&sun, sw_unix_addr(path, &sun)) == 0)
		sock->peer_deferred = false;
	sw_set_peer(sock, addr, v4);
	sock->connected = true;
	return 0;
}

CW_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int err, rc;

	if (sock == NULL)
		return REAL(connect)(fd, addr, len);
	if (sock->type == SOCK_DGRAM && addr != NULL && len >= sizeof(sa_family_t) &&
	    addr->sa_family == AF_UNSPEC) {
		cw_lock(&sock->lock);
		rc = sw_connect_dgram(sock, fd, addr);
		cw_unlock(&sock->lock);
		return rc;
	}
	err = sw_check_inet_addr(sock, addr, len, false);
	if (err)
		return sw_fail(err);
	cw_lock(&sock->lock);
	rc = sock->type == SOCK_STREAM ? sw_connect_stream(sock, fd, addr)
				       : sw_connect_dgram(sock, fd, addr);
	cw_unlock(&sock->lock);
	return rc;
}
