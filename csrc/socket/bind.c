/* bind() and bindresvport(): a fake address becomes a socket file. */
#include <netinet/in.h>
#include <string.h>

#include "bindfile.h"
#include "calls.h"

static int sw_bind(struct sw_sock *sock, int fd, const struct sockaddr *addr, socklen_t len)
{
	unsigned iface = 0;
	bool v4;
	int err = sw_check_inet_addr(sock, addr, len, true);
	enum sw_addr_kind kind;
	unsigned port;
	bool dual;
	int rc;

	if (err)
		return sw_fail(err);
	if (sock->bound)
		return sw_fail(EINVAL);
	kind = sw_addr_classify(addr, &iface, &v4);
	if (sock->family == AF_INET6 && v4 && sock->opts.v6only)
		return sw_fail(EINVAL);
	if (kind == SW_ADDR_ANY) {
		iface = sw_default_iface();
		if (iface == 0)
			return sw_fail(EADDRNOTAVAIL);
	} else if (kind != SW_ADDR_HOST) {
		return sw_fail(EADDRNOTAVAIL);
	}
	port = sw_addr_port(addr);
	dual = kind == SW_ADDR_ANY && sock->family == AF_INET6 && !sock->opts.v6only;
	if (port == 0) {
		rc = sw_bind_ephemeral(sock, fd, iface, v4);
		if (rc < 0)
			return -1;
		port = (unsigned)rc;
	} else {
		struct sw_endpoint ep = { sw_type_letter(v4, sock->type), iface, port };
		struct sw_endpoint v4ep = { sw_type_letter(true, sock->type), iface, port };

		if ((dual && sw_dual_check(&v4ep) != 0) || sw_bind_endpoint(sock, fd, &ep) != 0)
			return -1;
	}
	if (dual) {
		struct sw_endpoint v4ep = { sw_type_letter(true, sock->type), iface, port };

		sw_dual_alias(sock, &v4ep);
	}
	/* getsockname() shows what was asked for: a wildcard stays a wildcard. */
	memset(&sock->local, 0, sizeof(sock->local));
	if (sock->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&sock->local;

		sin->sin_family = AF_INET;
		sin->sin_addr = ((const struct sockaddr_in *)addr)->sin_addr;
		sin->sin_port = htons((uint16_t)port);
		sock->local_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sock->local;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = ((const struct sockaddr_in6 *)addr)->sin6_addr;
		sin6->sin6_port = htons((uint16_t)port);
		sock->local_len = sizeof(*sin6);
	}
	sock->wildcard = kind == SW_ADDR_ANY;
	return 0;
}

CW_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sw_sock *sock = sw_fd_get(fd);
	int rc;

	if (sock == NULL)
		return REAL(bind)(fd, addr, len);
	cw_lock(&sock->lock);
	rc = sw_bind(sock, fd, addr, len);
	cw_unlock(&sock->lock);
	return rc;
}

/* glibc keeps this Sun RPC function but no longer declares it. */
int bindresvport(int fd, struct sockaddr_in *sin);

/* Binds to a free port from 600 to 1023, as the Sun RPC library does. */
CW_EXPORT int bindresvport(int fd, struct sockaddr_in *sin)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	static unsigned next;
	int err = EADDRINUSE;

	if (sin == NULL)
		sin = &any;
	if (sin->sin_family != AF_INET)
		return sw_fail(EPFNOSUPPORT);
	for (unsigned i = 0; i < 424; i++) {
		sin->sin_port = htons((uint16_t)(600 + (next++ % 424)));
		if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0)
			return 0;
		err = errno;
		if (err != EADDRINUSE)
			break;
	}
	sin->sin_port = 0;
	return sw_fail(err);
}
