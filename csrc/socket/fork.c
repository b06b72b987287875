/*
 * fork(): the parent names its child as a holder of every captured
 * connection before fork() returns to it.  A server commonly closes its
 * copy of the connection at once (sshd, forking servers); were the child
 * to add itself only, that close could come first and end the connection
 * in the capture while the child still serves it.
 */
#include "calls.h"
#include "pcap.h"

CW_EXPORT pid_t fork(void)
{
	pid_t pid = REAL(fork)();

	if (__builtin_expect(sw_pcap_on, 0) && pid > 0) {
		int saved = errno;

		sw_conns_forked(pid);
		errno = saved;
	}
	return pid;
}
