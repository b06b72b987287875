#include "lock.h"
#include "shim.h"

static void cw_fork_prepare(void)
{
	for (struct cw_mutex *const *l = cw_shim.locks; l && *l; l++)
		pthread_mutex_lock(&(*l)->m);
}

static void cw_fork_parent(void)
{
	const struct cw_mutex *const *l = (const struct cw_mutex *const *)cw_shim.locks;
	int n = 0;

	while (l && l[n])
		n++;
	/* Release in the reverse order of taking. */
	while (n-- > 0)
		pthread_mutex_unlock(&cw_shim.locks[n]->m);
}

/*
 * The forking thread took every lock in cw_fork_prepare and is the one
 * thread of the child: it releases them, as in the parent.  (Re-creating
 * them with pthread_mutex_init would work too, but ThreadSanitizer then
 * believes they are still held and reports double locks and races.)
 */
static void cw_fork_child(void)
{
	cw_fork_parent();
}

void cw_lock_install_fork_handlers(void)
{
	pthread_atfork(cw_fork_prepare, cw_fork_parent, cw_fork_child);
}
