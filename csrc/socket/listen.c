/* listen(): an unbound socket gets an ephemeral port on its host first. */
#include <netinet/in.h>
#include <string.h>

#include "bindfile.h"
#include "calls.h"

/* An unbound listener gets an ephemeral port on all addresses: the
 * kernel's getsockname() then shows 0.0.0.0:port. */
static int sw_listen_bind(struct sw_sock *sock, int fd)
{
	in_port_t port;

	if (sock->bound)
		return 0;
	if (sw_autobind(sock, fd, sock->family == AF_INET, false) != 0)
		return -1;
	port = sock->family == AF_INET ? ((struct sockaddr_in *)&sock->local)->sin_port
				       : ((struct sockaddr_in6 *)&sock->local)->sin6_port;
	memset(&sock->local, 0, sizeof(sock->local));
	sock->local.ss_family = (sa_family_t)sock->family;
	if (sock->family == AF_INET)
		((struct sockaddr_in *)&sock->local)->sin_port = port;
	else
		((struct sockaddr_in6 *)&sock->local)->sin6_port = port;
	sock->wildcard = true;
	return 0;
}

CW_EXPORT int listen(int fd, int backlog)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int rc = -1;

	if (sock == NULL)
		return REAL(listen)(fd, backlog);
	if (sock->type != SOCK_STREAM)
		return sw_fail(EOPNOTSUPP);
	cw_lock(&sock->lock);
	if (sock->connected) {
		errno = EINVAL;
	} else if (sw_listen_bind(sock, fd) == 0) {
		rc = REAL(listen)(fd, backlog);
		if (rc == 0 && !sock->listening) {
			sock->listening = true;
			sw_mark_listener(sock);
		}
	}
	cw_unlock(&sock->lock);
	return rc;
}
