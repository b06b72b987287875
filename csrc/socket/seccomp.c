/*
 * Programs that confine themselves with a seccomp filter (sshd's pre-auth
 * child, sandboxed renderers) may make only the system calls they make
 * themselves: a write(2) of theirs may not become a sendto(2) of ours, and
 * the capture may not fstat() or writev() behind their back.  Installing a
 * filter is seen here (prctl(PR_SET_SECCOMP) or syscall(SYS_seccomp)), and
 * from then on the shim keeps to read(2) and write(2) (sw_restricted).
 */
#include <stdarg.h>
#include <sys/prctl.h>

#include "calls.h"

_Atomic bool sw_restricted;

CW_EXPORT int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP)
		atomic_store(&sw_restricted, true);
	return REAL(prctl)(option, a[0], a[1], a[2], a[3]);
}
