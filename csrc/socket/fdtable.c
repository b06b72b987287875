#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "fdtable.h"
#include "log.h"
#include "socket_lock.h"

struct sw_sock *_Atomic *_Atomic sw_fdtable;
size_t sw_fdtable_len;

/* Descriptors above this cannot be wrapped (1M entries, 8 MiB of address
 * space, of which only the touched pages are real). */
#define SW_FDTABLE_CAP (1u << 20)

static struct sw_sock *_Atomic *sw_fdtable_create(void)
{
	struct sw_sock *_Atomic *table = atomic_load(&sw_fdtable);
	struct rlimit lim;
	size_t len = SW_FDTABLE_CAP;
	void *mem;

	if (table != NULL)
		return table;
	cw_lock(&sw_table_lock);
	table = atomic_load(&sw_fdtable);
	if (table == NULL) {
		if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_max != RLIM_INFINITY &&
		    lim.rlim_max < len)
			len = lim.rlim_max < 1024 ? 1024 : lim.rlim_max;
		/* calloc of this size is a fresh anonymous mapping: untouched
		 * pages cost nothing; and leak checkers see the objects in it. */
		mem = calloc(len, sizeof(*table));
		if (mem != NULL) {
			sw_fdtable_len = len;
			table = mem;
			atomic_store_explicit(&sw_fdtable, table, memory_order_release);
		}
	}
	cw_unlock(&sw_table_lock);
	return table;
}

int sw_fd_set(int fd, struct sw_sock *sock)
{
	struct sw_sock *_Atomic *table = sw_fdtable_create();
	struct sw_sock *old;

	if (table == NULL || fd < 0 || (size_t)fd >= sw_fdtable_len) {
		CW_LOG(CW_WARN, "descriptor %d is beyond what the shim can track", fd);
		errno = EMFILE;
		return -1;
	}
	old = atomic_exchange_explicit(&table[fd], sock, memory_order_acq_rel);
	if ((uintptr_t)old > 1)
		sw_sock_unref(old);
	return 0;
}

void sw_fd_clear(int fd)
{
	struct sw_sock *_Atomic *table = atomic_load_explicit(&sw_fdtable, memory_order_acquire);
	struct sw_sock *old;

	if (table == NULL || fd < 0 || (size_t)fd >= sw_fdtable_len)
		return;
	old = atomic_exchange_explicit(&table[fd], NULL, memory_order_acq_rel);
	if ((uintptr_t)old > 1)
		sw_sock_unref(old);
}

void sw_fd_mark_not_inet(int fd)
{
	struct sw_sock *_Atomic *table = sw_fdtable_create();
	struct sw_sock *expected = NULL;

	if (table == NULL || fd < 0 || (size_t)fd >= sw_fdtable_len)
		return;
	atomic_compare_exchange_strong(&table[fd], &expected, SW_NOT_INET);
}
