/* accept() and accept4(): the new socket's addresses come from the files. */
#include <stddef.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "calls.h"
#include "pcap.h"

/* The address the client reached: the listener's, made concrete when it
 * listens on a wildcard (the kernel reports the actual destination). */
static void sw_accepted_local(const struct sw_sock *listener, struct sw_sock *sock)
{
	struct sw_endpoint ep, peer;
	bool v4_peer = sock->family == AF_INET6 && sock->peer.ss_family == AF_INET6 &&
		       IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&sock->peer)->sin6_addr);

	if (listener->wildcard && sw_path_endpoint(listener->path, &ep)) {
		/* An IPv4 client of a dual-stack listener reached its IPv4 name. */
		if (v4_peer) {
			peer = ep;
			peer.letter = sw_type_letter(true, listener->type);
			ep = peer;
		}
		sock->local_len = sw_endpoint_sockaddr(&ep, listener->family, &sock->local);
		return;
	}
	sock->local = listener->local;
	sock->local_len = listener->local_len;
}

static void sw_accepted_peer(struct sw_sock *sock, const struct sockaddr_un *sun, socklen_t len)
{
	struct sw_endpoint ep;
	char path[SW_SUN_PATH];

	sw_sun_path(sun, len, path, sizeof(path));
	if (sw_path_endpoint(path, &ep)) {
		sock->peer_len = sw_endpoint_sockaddr(&ep, sock->family, &sock->peer);
	} else {
		/* A client with no socket file (not one of ours): no address. */
		memset(&sock->peer, 0, sizeof(sock->peer));
		sock->peer.ss_family = (sa_family_t)sock->family;
		sock->peer_len = sock->family == AF_INET ? sizeof(struct sockaddr_in)
							 : sizeof(struct sockaddr_in6);
	}
}

static int sw_accept(struct sw_sock *listener, int fd, struct sockaddr *addr,
		     socklen_t *addrlen, int flags)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct sw_sock *sock;
	int nfd;

	if (!listener->listening)
		return sw_fail(EINVAL);
	memset(&sun, 0, sizeof(sun));
	nfd = REAL(accept4)(fd, (struct sockaddr *)&sun, &len, flags);
	if (nfd < 0)
		return -1;
	sock = sw_sock_new(listener->family, listener->type, listener->protocol);
	if (sock == NULL) {
		REAL(close)(nfd);
		return -1;
	}
	sock->connected = true;
	sock->opts = listener->opts;   /* options are inherited, as in TCP */
	sw_accepted_peer(sock, &sun, len);
	sw_accepted_local(listener, sock);
	if (__builtin_expect(sw_pcap_on, 0))
		sw_pcap_tcp_accepted(sock, nfd);
	if (sw_fd_set(nfd, sock) != 0) {
		sw_sock_unref(sock);
		REAL(close)(nfd);
		return -1;
	}
	sw_copy_out(&sock->peer, sock->peer_len, addr, addrlen);
	return nfd;
}

CW_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int nfd;

	if (sock == NULL) {
		nfd = REAL(accept4)(fd, addr, addrlen, flags);
		if (nfd >= 0)
			sw_fd_clear(nfd);
		return nfd;
	}
	return sw_accept(sock, fd, addr, addrlen, flags);
}

CW_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return accept4(fd, addr, addrlen, 0);
}
