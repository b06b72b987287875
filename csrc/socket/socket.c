/* socket() and socketpair(): inet sockets become AF_UNIX sockets. */
#include <netinet/in.h>

#include "calls.h"

/* Which protocol an inet socket of this type is, or -1 (EPROTONOSUPPORT). */
static int sw_protocol(int type, int protocol)
{
	if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
		return IPPROTO_TCP;
	if (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
		return IPPROTO_UDP;
	return -1;
}

static int sw_inet_socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int proto, fd;
	struct sw_sock *sock;

	if (sw_config()->state == SW_BROKEN)
		return sw_fail(EACCES);   /* the reason was logged with the variable */
	if (base != SOCK_STREAM && base != SOCK_DGRAM)
		return sw_fail(base == SOCK_RAW ? EPERM : ESOCKTNOSUPPORT);
	proto = sw_protocol(base, protocol);
	if (proto < 0)
		return sw_fail(EPROTONOSUPPORT);
	sock = sw_sock_new(domain, base, proto);
	if (sock == NULL)
		return -1;
	fd = REAL(socket)(AF_UNIX, type, 0);
	if (fd < 0) {
		sw_sock_unref(sock);
		return -1;
	}
	if (sw_fd_set(fd, sock) != 0) {
		sw_sock_unref(sock);
		REAL(close)(fd);
		return -1;
	}
	return fd;
}

CW_EXPORT int socket(int domain, int type, int protocol)
{
	int fd;

	if ((domain == AF_INET || domain == AF_INET6) && sw_state() != SW_OFF)
		return sw_inet_socket(domain, type, protocol);
	fd = REAL(socket)(domain, type, protocol);
	if (fd >= 0)
		sw_fd_clear(fd);   /* the number may still be remembered */
	return fd;
}

CW_EXPORT int socketpair(int domain, int type, int protocol, int sv[2])
{
	int rc = REAL(socketpair)(domain, type, protocol, sv);

	if (rc == 0) {
		sw_fd_clear(sv[0]);
		sw_fd_clear(sv[1]);
	}
	return rc;
}
