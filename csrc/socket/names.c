/* getsockname() and getpeername(): the fake inet addresses. */
#include <string.h>

#include "calls.h"

CW_EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sw_sock *sock = sw_sock_of(fd);
	struct sockaddr_storage none;

	if (sock == NULL)
		return REAL(getsockname)(fd, addr, len);
	if (len == NULL || addr == NULL)
		return sw_fail(EFAULT);
	if ((int)*len < 0)
		return sw_fail(EINVAL);
	cw_lock(&sock->lock);
	if (sock->local_len == 0) {
		/* Unbound: the family's any-address, port 0. */
		memset(&none, 0, sizeof(none));
		none.ss_family = (sa_family_t)sock->family;
		sw_copy_out(&none, sock->family == AF_INET ? sizeof(struct sockaddr_in)
							   : sizeof(struct sockaddr_in6), addr, len);
	} else {
		sw_copy_out(&sock->local, sock->local_len, addr, len);
	}
	cw_unlock(&sock->lock);
	return 0;
}

CW_EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int rc = 0;

	if (sock == NULL)
		return REAL(getpeername)(fd, addr, len);
	if (len == NULL || addr == NULL)
		return sw_fail(EFAULT);
	if ((int)*len < 0)
		return sw_fail(EINVAL);
	cw_lock(&sock->lock);
	if (!sock->connected || sock->peer_len == 0)
		rc = sw_fail(ENOTCONN);
	else
		sw_copy_out(&sock->peer, sock->peer_len, addr, len);
	cw_unlock(&sock->lock);
	return rc;
}
