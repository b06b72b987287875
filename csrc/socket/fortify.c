/* The _FORTIFY_SOURCE entry points: check the buffer, then the usual path. */
#include <stdio.h>
#include <stdlib.h>

#include "calls.h"

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
		       struct sockaddr *from, socklen_t *fromlen);

/* What glibc does when a fortified call would overflow its buffer. */
static void sw_overflow(void)
{
	static const char msg[] = "*** buffer overflow detected ***: terminated\n";

	(void)!REAL(write)(2, msg, sizeof(msg) - 1);
	abort();
}

CW_EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		sw_overflow();
	return read(fd, buf, len);
}

CW_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		sw_overflow();
	return recv(fd, buf, len, flags);
}

CW_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
				 struct sockaddr *from, socklen_t *fromlen)
{
	if (len > buflen)
		sw_overflow();
	return recvfrom(fd, buf, len, flags, from, fromlen);
}
