/*
 * Descriptor -> sw_sock, in O(1) and without a lock.
 *
 * The table is one array indexed by descriptor, allocated on the first inet
 * socket (a large calloc is anonymous memory: pages that are never touched
 * cost nothing and are not copied on fork).  Until then every lookup is a single load of a
 * NULL pointer, which is what read() and write() on files and pipes pay.
 *
 * SW_NOT_INET marks a descriptor that was checked and is not an emulated
 * socket, so adoption (adopt.h) is attempted once per descriptor.
 */
#ifndef SW_FDTABLE_H
#define SW_FDTABLE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

#define SW_NOT_INET ((struct sw_sock *)1)

extern struct sw_sock *_Atomic *_Atomic sw_fdtable;
extern size_t sw_fdtable_len;

/* The raw entry: NULL, SW_NOT_INET or an object. */
static inline struct sw_sock *sw_fd_entry(int fd)
{
	struct sw_sock *_Atomic *table =
		atomic_load_explicit(&sw_fdtable, memory_order_acquire);

	if (table == NULL || (size_t)fd >= sw_fdtable_len)
		return NULL;
	return atomic_load_explicit(&table[fd], memory_order_acquire);
}

/* The emulated socket behind fd, or NULL. */
static inline struct sw_sock *sw_fd_get(int fd)
{
	struct sw_sock *sock = sw_fd_entry(fd);

	return (uintptr_t)sock > 1 ? sock : NULL;
}

/* Makes fd refer to sock (taking over the caller's reference); the entry
 * it replaces loses one.  -1 with EMFILE if fd is beyond the table. */
int sw_fd_set(int fd, struct sw_sock *sock);

/* Forgets fd (dropping its reference); safe for any fd. */
void sw_fd_clear(int fd);

/* Marks fd as checked and not an emulated socket (if the table exists). */
void sw_fd_mark_not_inet(int fd);

#endif
