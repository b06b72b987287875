#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "log.h"
#include "real.h"

/*
 * Stand-in for a function the C library does not have (an older glibc
 * without close_range, say).  Every wrapper whose real function may be
 * missing returns int or ssize_t, so "-1 with ENOSYS" is what the caller
 * would have seen from the kernel.
 */
static long cw_missing(void)
{
	errno = ENOSYS;
	return -1;
}

void *cw_real_resolve(struct cw_real_sym *sym)
{
	void *fn = dlsym(RTLD_NEXT, sym->name);

	if (fn == NULL) {
		fn = (void *)cw_missing;
		CW_LOG(CW_DEBUG, "the C library has no %s(); calls fail with ENOSYS",
		       sym->name);
	}
	/* Racing threads store the same pointer: no lock needed. */
	atomic_store_explicit(&sym->fn, fn, memory_order_release);
	return fn;
}
