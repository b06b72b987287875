/*
 * syscall(): a raw close(2) through syscall() must still forget the
 * descriptor.  Numbers this shim does not handle go to the UID shim when it
 * is loaded (whatever the order of the two in LD_PRELOAD), else to libc.
 * The hand-off uses upstream cwrap's hook names, so it also works with
 * upstream's uid_wrapper.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/syscall.h>

#include "calls.h"

typedef bool (*sw_valid_fn)(long);
typedef long (*sw_va_fn)(long, va_list);

CW_EXPORT bool socket_wrapper_syscall_valid(long number)
{
	return number == SYS_close || number == SYS_close_range;
}

CW_EXPORT long socket_wrapper_syscall_va(long number, va_list ap)
{
	long a0 = va_arg(ap, long), a1 = va_arg(ap, long), a2 = va_arg(ap, long);

	if (number == SYS_close)
		return close((int)a0);
	return close_range((unsigned)a0, (unsigned)a1, (int)a2);
}

static long sw_syscall_va(long number, va_list ap)
{
	static sw_valid_fn uid_valid;
	static sw_va_fn uid_va;
	static _Atomic bool looked_up;
	long a[6];

	if (socket_wrapper_syscall_valid(number))
		return socket_wrapper_syscall_va(number, ap);
	if (number == SYS_seccomp)
		atomic_store(&sw_restricted, true);
	if (!atomic_load_explicit(&looked_up, memory_order_acquire)) {
		uid_valid = (sw_valid_fn)dlsym(RTLD_DEFAULT, "uid_wrapper_syscall_valid");
		uid_va = (sw_va_fn)dlsym(RTLD_DEFAULT, "uid_wrapper_syscall_va");
		atomic_store_explicit(&looked_up, true, memory_order_release);
	}
	if (uid_valid != NULL && uid_va != NULL && uid_valid(number))
		return uid_va(number, ap);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

CW_EXPORT long syscall(long number, ...)
{
	va_list ap;
	long rc;

	va_start(ap, number);
	if (!cw_initialised()) {
		/* Before start-up (an allocator's early call, say): no lookups. */
		long a[6];

		for (int i = 0; i < 6; i++)
			a[i] = va_arg(ap, long);
		va_end(ap);
		return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	rc = sw_syscall_va(number, ap);
	va_end(ap);
	return rc;
}
