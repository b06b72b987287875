/* The socket shim's process-wide locks (also taken around fork()). */
#ifndef SW_SOCKET_LOCK_H
#define SW_SOCKET_LOCK_H

#include "lock.h"

extern struct cw_mutex sw_pool_lock;    /* the free list of sw_sock objects (never waited for on release: sock.c) */
extern struct cw_mutex sw_table_lock;   /* creating the fd table */
extern struct cw_mutex sw_refuser_lock; /* refusing non-blocking connects */

#endif
