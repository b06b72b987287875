/*
 * RLIMIT_FSIZE while capture is on: kept by the shim, not given to the
 * kernel.
 *
 * The capture is appended to by every process of the environment.  A
 * process that lowers its file size limit (sshd's pre-auth child sets it
 * to 0 before it talks to the client) would have every append of its
 * traffic fail with EFBIG and, worse, be killed by the SIGXFSZ that comes
 * with it.  So with capture on, a new RLIMIT_FSIZE is checked and
 * remembered as the kernel would (EINVAL, EPERM), reported back by
 * getrlimit(), and not applied.  The program's own writes are therefore
 * not limited: an emulation, documented in docs/socket.md.  A soft limit
 * inherited from before the program is kept the same way; a hard one
 * stays real, and appends that would pass it are dropped (as on a full
 * disk) instead of made.  Other resources and other processes' limits go
 * to the kernel unchanged.
 *
 * Sanitizer runtimes call setrlimit()/getrlimit() while they start, before
 * any code built with them may run: the entry points are built without
 * instrumentation and reach libc through their own dlsym() pointers.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <unistd.h>

#include "calls.h"
#include "pcap.h"

static pthread_mutex_t sw_fsize_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sw_fsize_kept;
static struct rlimit64 sw_fsize;
/* The kernel's hard limit, which the capture's appends must stay under
 * (past it the kernel would answer with SIGXFSZ, fatal by default). */
static _Atomic uint64_t sw_fsize_real_max = RLIM64_INFINITY;

#if defined(__has_attribute) && __has_attribute(disable_sanitizer_instrumentation)
#define SW_EARLY __attribute__((disable_sanitizer_instrumentation))
#else
#define SW_EARLY __attribute__((no_sanitize("address", "undefined")))
#endif

#define SW_NEXT(name)                                                          \
	static __typeof__(&name) next;                                         \
	if (__atomic_load_n(&next, __ATOMIC_RELAXED) == NULL)                  \
		__atomic_store_n(&next, (__typeof__(&name))dlsym(RTLD_NEXT, #name), \
				 __ATOMIC_RELAXED)

SW_EARLY static bool sw_fsize_ours(int resource, pid_t pid)
{
	return __builtin_expect(sw_pcap_on, 0) && resource == RLIMIT_FSIZE &&
	       (pid == 0 || pid == REAL(getpid)());
}

/* The kept limit (or the kernel's, the first time) into *old; the new one
 * from *new, with the kernel's checks. */
static int sw_fsize_swap(const struct rlimit64 *new, struct rlimit64 *old)
{
	struct rlimit64 cur;
	int rc = 0;

	pthread_mutex_lock(&sw_fsize_lock);
	if (!sw_fsize_kept && REAL(prlimit64)(0, RLIMIT_FSIZE, NULL, &sw_fsize) != 0) {
		pthread_mutex_unlock(&sw_fsize_lock);
		return -1;
	}
	sw_fsize_kept = true;
	cur = sw_fsize;
	if (new != NULL) {
		if (new->rlim_cur > new->rlim_max) {
			errno = EINVAL;
			rc = -1;
		} else if (new->rlim_max > cur.rlim_max && geteuid() != 0) {
			errno = EPERM;     /* raising the hard limit needs privilege */
			rc = -1;
		} else {
			sw_fsize = *new;
		}
	}
	pthread_mutex_unlock(&sw_fsize_lock);
	if (rc == 0 && old != NULL)
		*old = cur;
	return rc;
}

/* Capture starts: a soft limit inherited from before the program (a
 * shell's `ulimit -f`) is kept by the shim like one the program sets, and
 * the kernel's soft limit is raised to the hard one. */
void sw_fsize_at_start(void)
{
	struct rlimit64 cur, raised;

	if (REAL(prlimit64)(0, RLIMIT_FSIZE, NULL, &cur) != 0)
		return;
	atomic_store(&sw_fsize_real_max, cur.rlim_max);
	if (cur.rlim_cur == cur.rlim_max)
		return;
	raised = (struct rlimit64){ cur.rlim_max, cur.rlim_max };
	pthread_mutex_lock(&sw_fsize_lock);
	if (REAL(prlimit64)(0, RLIMIT_FSIZE, &raised, NULL) == 0) {
		sw_fsize = cur;
		sw_fsize_kept = true;
	}
	pthread_mutex_unlock(&sw_fsize_lock);
}

bool sw_fsize_allows(int fd, size_t len)
{
	uint64_t max = atomic_load_explicit(&sw_fsize_real_max, memory_order_relaxed);
	off_t end;

	if (__builtin_expect(max == RLIM64_INFINITY, 1))
		return true;
	end = sw_is_restricted() ? -1 : lseek(fd, 0, SEEK_END);
	return end >= 0 && (uint64_t)end + len <= max;
}

static void sw_to64(const struct rlimit *rl, struct rlimit64 *rl64)
{
	rl64->rlim_cur = rl->rlim_cur == RLIM_INFINITY ? RLIM64_INFINITY : rl->rlim_cur;
	rl64->rlim_max = rl->rlim_max == RLIM_INFINITY ? RLIM64_INFINITY : rl->rlim_max;
}

static void sw_from64(const struct rlimit64 *rl64, struct rlimit *rl)
{
	rl->rlim_cur = rl64->rlim_cur >= RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)rl64->rlim_cur;
	rl->rlim_max = rl64->rlim_max >= RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)rl64->rlim_max;
}

/* The same for the plain struct rlimit entry points. */
static int sw_fsize_swap32(const struct rlimit *new, struct rlimit *old)
{
	struct rlimit64 n, o;

	if (new != NULL)
		sw_to64(new, &n);
	if (sw_fsize_swap(new ? &n : NULL, &o) != 0)
		return -1;
	if (old != NULL)
		sw_from64(&o, old);
	return 0;
}

CW_EXPORT SW_EARLY int prlimit64(pid_t pid, enum __rlimit_resource resource,
				 const struct rlimit64 *new, struct rlimit64 *old)
{
	SW_NEXT(prlimit64);
	if (!sw_fsize_ours((int)resource, pid))
		return next(pid, resource, new, old);
	return sw_fsize_swap(new, old);
}

CW_EXPORT SW_EARLY int prlimit(pid_t pid, enum __rlimit_resource resource,
			       const struct rlimit *new, struct rlimit *old)
{
	SW_NEXT(prlimit);
	if (!sw_fsize_ours((int)resource, pid))
		return next(pid, resource, new, old);
	return sw_fsize_swap32(new, old);
}

/* The other entry points are prlimit() on this process, as in glibc. */

CW_EXPORT SW_EARLY int setrlimit64(enum __rlimit_resource resource, const struct rlimit64 *rl)
{
	return prlimit64(0, resource, rl, NULL);
}

CW_EXPORT SW_EARLY int getrlimit64(enum __rlimit_resource resource, struct rlimit64 *rl)
{
	return prlimit64(0, resource, NULL, rl);
}

CW_EXPORT SW_EARLY int setrlimit(enum __rlimit_resource resource, const struct rlimit *rl)
{
	return prlimit(0, resource, rl, NULL);
}

CW_EXPORT SW_EARLY int getrlimit(enum __rlimit_resource resource, struct rlimit *rl)
{
	return prlimit(0, resource, NULL, rl);
}
