/* shutdown(): remembered, because a send after SHUT_WR must not be taken
 * for the grace write after a peer's close (send.c). */
#include "calls.h"
#include "pcap.h"

CW_EXPORT int shutdown(int fd, int how)
{
	struct sw_sock *sock = sw_sock_of(fd);
	int rc;

	if (sock == NULL)
		return REAL(shutdown)(fd, how);
	if (sock->type == SOCK_STREAM && !sock->connected)
		return sw_fail(ENOTCONN);
	if (__builtin_expect(sw_pcap_on, 0) && (how == SHUT_WR || how == SHUT_RDWR))
		sw_pcap_tcp_shutdown(sock);
	rc = REAL(shutdown)(fd, how);
	if (rc == 0 && (how == SHUT_WR || how == SHUT_RDWR))
		atomic_store(&sock->shut_wr, true);
	return rc;
}
