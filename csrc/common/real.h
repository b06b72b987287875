/*
 * Binding to the real libc functions.
 *
 * Each wrapped name gets a slot that caches the next definition in the
 * lookup order (dlsym(RTLD_NEXT)), found on first use.  RTLD_NEXT rather
 * than dlopen("libc.so.6", RTLD_DEEPBIND): it keeps sanitizer runtimes,
 * valgrind and alternative allocators working, and lets several preloaded
 * libraries chain naturally.  The constructor resolves the slots of a
 * shim's signal-prone calls up front (see real_table.h), so those lookups,
 * also from signal handlers, are a single atomic load.
 */
#ifndef CW_REAL_H
#define CW_REAL_H

#include <stdatomic.h>

struct cw_real_sym {
	const char *name;
	void *_Atomic fn;
};

void *cw_real_resolve(struct cw_real_sym *sym);

static inline void *cw_real_get(struct cw_real_sym *sym)
{
	void *fn = atomic_load_explicit(&sym->fn, memory_order_acquire);
	return fn ? fn : cw_real_resolve(sym);
}

/* Resolve every symbol of the calling shim's table (see real_table.h). */
void cw_real_bind_all(void);

/* REAL(read)(fd, buf, n): call the next `read` after this library. */
#define REAL(name) ((__typeof__(&name))cw_real_get(&cw_real_##name))

#endif
