/*
 * A stand-in for the socket shim's side of syscall() cooperation: it
 * claims syscall number 100000 (answering 4242), wraps syscall() itself
 * and hands the UID shim's numbers to uid_wrapper_syscall_va.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>

#define OURS 100000L

bool socket_wrapper_syscall_valid(long number)
{
	return number == OURS;
}

long socket_wrapper_syscall_va(long number, va_list args)
{
	(void)args;
	return number == OURS ? 4242 : -1;
}

long syscall(long number, ...)
{
	bool (*uid_valid)(long) = (bool (*)(long))dlsym(RTLD_DEFAULT, "uid_wrapper_syscall_valid");
	long (*uid_va)(long, va_list) = (long (*)(long, va_list))dlsym(RTLD_DEFAULT, "uid_wrapper_syscall_va");
	long (*next)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	va_list ap;
	long a[6], rc;

	va_start(ap, number);
	if (number == OURS) {
		rc = socket_wrapper_syscall_va(number, ap);
		va_end(ap);
		return rc;
	}
	if (uid_valid && uid_va && uid_valid(number)) {
		rc = uid_va(number, ap);
		va_end(ap);
		return rc;
	}
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
