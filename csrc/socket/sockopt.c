/* setsockopt() and getsockopt(): inet levels are emulated (sockopt_store). */
#include "calls.h"

CW_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int ret = 0;

	if (sock == NULL)
		return REAL(setsockopt)(fd, level, name, val, len);
	cw_lock(&sock->lock);
	if (!sw_opt_set(sock, level, name, val, len, &ret))
		ret = REAL(setsockopt)(fd, level, name, val, len);
	cw_unlock(&sock->lock);
	return ret;
}

CW_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int ret = 0;

	if (sock == NULL)
		return REAL(getsockopt)(fd, level, name, val, len);
	cw_lock(&sock->lock);
	if (!sw_opt_get(sock, level, name, val, len, &ret))
		ret = REAL(getsockopt)(fd, level, name, val, len);
	cw_unlock(&sock->lock);
	return ret;
}
