/*
 * Mutexes that survive fork().
 *
 * A shim lists its mutexes in cw_shim.locks.  Around fork() every one of
 * them is taken (prepare), so the child never inherits a mutex held by a
 * thread that does not exist there; the forking thread then releases them
 * in the parent and in the child.
 * Paths that do not touch a shim's own state never take a lock.
 */
#ifndef CW_LOCK_H
#define CW_LOCK_H

#include <pthread.h>

struct cw_mutex {
	pthread_mutex_t m;
};

#define CW_MUTEX_INIT { PTHREAD_MUTEX_INITIALIZER }

static inline void cw_lock(struct cw_mutex *mu)
{
	pthread_mutex_lock(&mu->m);
}

static inline void cw_unlock(struct cw_mutex *mu)
{
	pthread_mutex_unlock(&mu->m);
}

/* Registers the fork handlers for cw_shim.locks; call once from init. */
void cw_lock_install_fork_handlers(void);

#endif
