/* dup(), dup2(), dup3() and fcntl(F_DUPFD*): the copy shares the socket. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>

#include "calls.h"

/* newfd now refers to what oldfd does (or to nothing we know). */
static void sw_copy_entry(int oldfd, int newfd)
{
	struct sw_sock *sock = sw_fd_get(oldfd);

	if (sock != NULL) {
		sw_sock_ref(sock);
		if (sw_fd_set(newfd, sock) != 0)
			sw_sock_unref(sock);
	} else {
		sw_fd_clear(newfd);
	}
}

CW_EXPORT int dup(int fd)
{
	int nfd = REAL(dup)(fd);

	if (nfd >= 0)
		sw_copy_entry(fd, nfd);
	return nfd;
}

CW_EXPORT int dup2(int fd, int fd2)
{
	int nfd = REAL(dup2)(fd, fd2);

	if (nfd >= 0 && fd != fd2)
		sw_copy_entry(fd, nfd);
	return nfd;
}

CW_EXPORT int dup3(int fd, int fd2, int flags)
{
	int nfd = REAL(dup3)(fd, fd2, flags);

	if (nfd >= 0)
		sw_copy_entry(fd, nfd);
	return nfd;
}

static int sw_fcntl(int (*real)(int, int, ...), int fd, int cmd, uintptr_t arg)
{
	int rc = real(fd, cmd, arg);

	if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		sw_copy_entry(fd, rc);
	return rc;
}

/* Every fcntl argument is an int or a pointer: passed on as a word. */
CW_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	uintptr_t arg;

	va_start(ap, cmd);
	arg = va_arg(ap, uintptr_t);
	va_end(ap);
	return sw_fcntl(REAL(fcntl), fd, cmd, arg);
}

CW_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	uintptr_t arg;

	va_start(ap, cmd);
	arg = va_arg(ap, uintptr_t);
	va_end(ap);
	return sw_fcntl(REAL(fcntl64), fd, cmd, arg);
}
