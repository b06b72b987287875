/*
 * syscall(): the credential syscalls made directly.
 *
 * The kernel changes only the calling thread's credentials when a program
 * bypasses glibc, so these changes stay in that thread (see creds.c).
 * Other numbers go to the socket shim when it is loaded and claims them
 * (socket_wrapper_syscall_valid/_va), else to the next syscall().  The
 * socket shim's syscall() asks uid_wrapper_syscall_valid/_va the same way,
 * so the order of the two in LD_PRELOAD does not matter.
 *
 * Before the shim is initialised nothing here allocates, locks or looks a
 * symbol up: an allocator such as jemalloc calls syscall() while it is
 * being set up, possibly before any constructor ran.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

#define NONE ((unsigned int)-1)

/* The kernel directly, for calls that arrive before initialisation. */
static long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile ("syscall"
			  : "=a"(ret)
			  : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			  : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile ("svc 0"
			  : "+r"(x0)
			  : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			  : "memory");
	ret = x0;
#else
	/* Elsewhere the next syscall(), looked up on first use. */
	return REAL(syscall)(n, a, b, c, d, e, f);
#endif
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static bool handled(long n)
{
	switch (n) {
	case SYS_getuid: case SYS_geteuid: case SYS_getgid: case SYS_getegid:
	case SYS_getresuid: case SYS_getresgid:
	case SYS_setuid: case SYS_setgid: case SYS_setreuid: case SYS_setregid:
	case SYS_setresuid: case SYS_setresgid:
	case SYS_setfsuid: case SYS_setfsgid:
	case SYS_getgroups: case SYS_setgroups:
#ifdef SYS_getuid32
	case SYS_getuid32: case SYS_geteuid32: case SYS_getgid32: case SYS_getegid32:
	case SYS_getresuid32: case SYS_getresgid32:
	case SYS_setuid32: case SYS_setgid32: case SYS_setreuid32: case SYS_setregid32:
	case SYS_setresuid32: case SYS_setresgid32:
	case SYS_setfsuid32: case SYS_setfsgid32:
	case SYS_getgroups32: case SYS_setgroups32:
#endif
		return true;
	default:
		return false;
	}
}

static long fail(int err)
{
	errno = err;
	return -1;
}

static long change(enum uw_op_kind kind, long a, long b, long c)
{
	struct uw_op op = { .kind = kind, .a = (unsigned int)a,
			    .b = (unsigned int)b, .c = (unsigned int)c };
	int err = uw_change(&op, false, NULL);

	return err ? fail(err) : 0;
}

static long set_fs(enum uw_op_kind kind, long a)
{
	struct uw_op op = { .kind = kind, .a = (unsigned int)a };
	unsigned int old;

	if (uw_change(&op, false, &old) != 0)
		old = kind == UW_SETFSUID ? uw_get_uid(UW_FS) : uw_get_gid(UW_FS);
	return (long)(int)old;
}

static long get_res(bool uids, long a, long b, long c)
{
	struct uw_ids ids;
	unsigned int *v = uids ? ids.uid : ids.gid;
	unsigned int *out[3] = { (unsigned int *)a, (unsigned int *)b, (unsigned int *)c };

	uw_read_ids(uw_view(), &ids);
	for (int i = 0; i < 3; i++) {
		if (out[i] == NULL)
			return fail(EFAULT);
		*out[i] = v[i];
	}
	return 0;
}

static long do_syscall(long n, long a, long b, long c)
{
	int size = (int)a;

	switch (n) {
#ifdef SYS_getuid32
	case SYS_getuid32: n = SYS_getuid; break;
	case SYS_geteuid32: n = SYS_geteuid; break;
	case SYS_getgid32: n = SYS_getgid; break;
	case SYS_getegid32: n = SYS_getegid; break;
	case SYS_getresuid32: n = SYS_getresuid; break;
	case SYS_getresgid32: n = SYS_getresgid; break;
	case SYS_setuid32: n = SYS_setuid; break;
	case SYS_setgid32: n = SYS_setgid; break;
	case SYS_setreuid32: n = SYS_setreuid; break;
	case SYS_setregid32: n = SYS_setregid; break;
	case SYS_setresuid32: n = SYS_setresuid; break;
	case SYS_setresgid32: n = SYS_setresgid; break;
	case SYS_setfsuid32: n = SYS_setfsuid; break;
	case SYS_setfsgid32: n = SYS_setfsgid; break;
	case SYS_getgroups32: n = SYS_getgroups; break;
	case SYS_setgroups32: n = SYS_setgroups; break;
#endif
	default: break;
	}
	switch (n) {
	case SYS_getuid:
		return uw_get_uid(UW_R);
	case SYS_geteuid:
		return uw_myuid() ? (long)REAL(geteuid)() : (long)uw_get_uid(UW_E);
	case SYS_getgid:
		return uw_get_gid(UW_R);
	case SYS_getegid:
		return uw_get_gid(UW_E);
	case SYS_getresuid:
		return get_res(true, a, b, c);
	case SYS_getresgid:
		return get_res(false, a, b, c);
	case SYS_setuid:
		return change(UW_SETUID, a, 0, 0);
	case SYS_setgid:
		return change(UW_SETGID, a, 0, 0);
	case SYS_setreuid:
		return change(UW_SETREUID, a, b, 0);
	case SYS_setregid:
		return change(UW_SETREGID, a, b, 0);
	case SYS_setresuid:
		return change(UW_SETRESUID, a, b, c);
	case SYS_setresgid:
		return change(UW_SETRESGID, a, b, c);
	case SYS_setfsuid:
		return set_fs(UW_SETFSUID, a);
	case SYS_setfsgid:
		return set_fs(UW_SETFSGID, a);
	case SYS_getgroups:
		return uw_read_groups(size, (gid_t *)b);
	case SYS_setgroups: {
		struct uw_op op = { .kind = UW_SETGROUPS, .n = size,
				    .list = (const gid_t *)b };
		int err = uw_change(&op, false, NULL);

		return err ? fail(err) : 0;
	}
	default:
		return fail(ENOSYS);
	}
}

/* --- cooperation with the socket shim ---------------------------------- */

CW_EXPORT bool uid_wrapper_syscall_valid(long number)
{
	return cw_initialised() && uw_enabled && handled(number);
}

CW_EXPORT long uid_wrapper_syscall_va(long number, va_list args)
{
	long a = va_arg(args, long);
	long b = va_arg(args, long);
	long c = va_arg(args, long);

	if (!uid_wrapper_syscall_valid(number))
		return fail(ENOSYS);
	return do_syscall(number, a, b, c);
}

/*
 * The socket shim's hooks, when a library in the global scope (a preloaded
 * socket shim, ours or upstream's) defines them: weak references, bound by
 * the dynamic linker at load time.  That is the lookup dlsym(RTLD_DEFAULT)
 * would make, without its cost at start-up (a failed dlsym builds an
 * error message) and without any lookup later, when syscall() may come
 * from an allocator's own set-up.
 */
extern bool socket_wrapper_syscall_valid(long number) __attribute__((weak));
extern long socket_wrapper_syscall_va(long number, va_list args) __attribute__((weak));

CW_EXPORT long syscall(long number, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!cw_initialised())
		return raw_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (uw_enabled && handled(number))
		return do_syscall(number, a[0], a[1], a[2]);
	if (socket_wrapper_syscall_valid && socket_wrapper_syscall_va &&
	    socket_wrapper_syscall_valid(number)) {
		long ret;

		va_start(ap, number);
		ret = socket_wrapper_syscall_va(number, ap);
		va_end(ap);
		return ret;
	}
	return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
