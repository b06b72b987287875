#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sock.h"
#include "socket_lock.h"
#include "symbols_real.h"

/*
 * The pool of sw_sock objects.  close() may run in a signal handler that
 * interrupted this very thread inside sw_sock_new(), so releasing an
 * object never waits for a lock: when the pool lock is busy the object
 * goes to `sw_returned`, a push-only lock-free stack that sw_sock_new()
 * drains (whole, by exchange: no ABA) while it holds the lock.  The count
 * of live objects is atomic for the same reason.
 */
static struct sw_sock *sw_free_list;            /* under sw_pool_lock */
static struct sw_sock *_Atomic sw_returned;     /* lock-free pushes */
static _Atomic unsigned long sw_live;
/* Every object ever allocated (they are never freed): push-only. */
static struct sw_sock *_Atomic sw_all;

static void sw_push_returned(struct sw_sock *sock)
{
	struct sw_sock *head = atomic_load_explicit(&sw_returned, memory_order_relaxed);

	do
		sock->next_free = head;
	while (!atomic_compare_exchange_weak_explicit(&sw_returned, &head, sock,
						      memory_order_release,
						      memory_order_relaxed));
}

/* Under sw_pool_lock. */
static struct sw_sock *sw_take_free(void)
{
	struct sw_sock *sock = sw_free_list;

	if (sock == NULL) {
		sock = atomic_exchange_explicit(&sw_returned, NULL, memory_order_acquire);
		if (sock == NULL)
			return NULL;
	}
	sw_free_list = sock->next_free;
	return sock;
}

struct sw_sock *sw_sock_new(int family, int type, int protocol)
{
	struct sw_sock *sock;

	if (atomic_fetch_add(&sw_live, 1) >= sw_config()->max_sockets) {
		atomic_fetch_sub(&sw_live, 1);
		CW_LOG(CW_WARN, "SOCKET_WRAPPER_MAX_SOCKETS=%lu reached",
		       sw_config()->max_sockets);
		errno = ENFILE;
		return NULL;
	}
	cw_lock(&sw_pool_lock);
	sock = sw_take_free();
	cw_unlock(&sw_pool_lock);
	if (sock == NULL) {
		sock = malloc(sizeof(*sock));
		if (sock == NULL) {
			atomic_fetch_sub(&sw_live, 1);
			errno = ENOMEM;
			return NULL;
		}
		memset(sock, 0, sizeof(*sock));
		sock->next_all = atomic_load_explicit(&sw_all, memory_order_relaxed);
		while (!atomic_compare_exchange_weak_explicit(&sw_all, &sock->next_all, sock,
							      memory_order_release,
							      memory_order_relaxed))
			;
	} else {
		struct sw_sock *next_all = sock->next_all;

		memset(sock, 0, sizeof(*sock));
		sock->next_all = next_all;
	}
	pthread_mutex_init(&sock->lock.m, NULL);
	atomic_init(&sock->refs, 1);
	sock->family = family;
	sock->type = type;
	sock->protocol = protocol;
	sw_opts_init(&sock->opts, family, type);
	return sock;
}

void sw_sock_ref(struct sw_sock *sock)
{
	atomic_fetch_add(&sock->refs, 1);
}

static void sw_sock_release_file(struct sw_sock *sock)
{
	/* Only the process that made the file removes it: a child that
	 * inherited the socket closing its copy must not pull the address
	 * from under the parent.  Stale files are reclaimed at bind anyway. */
	if (sock->path[0] != '\0' && sock->file_owner == REAL(getpid)()) {
		unlink(sock->path);
		if (sock->alias[0] != '\0')
			unlink(sock->alias);
	}
}

void sw_sock_unref(struct sw_sock *sock)
{
	int saved_errno = errno;

	if (atomic_fetch_sub(&sock->refs, 1) != 1)
		return;
	sw_sock_release_file(sock);
	if (pthread_mutex_trylock(&sw_pool_lock.m) == 0) {
		sock->next_free = sw_free_list;
		sw_free_list = sock;
		cw_unlock(&sw_pool_lock);
	} else {
		sw_push_returned(sock);     /* maybe our own thread holds it */
	}
	atomic_fetch_sub(&sw_live, 1);
	errno = saved_errno;
}

void sw_sock_fork_child(void)
{
	/* The child has one thread: a lock it cannot take is held by a
	 * thread that is not there and is made anew.  (Only those: a lock
	 * re-created while free is fine too, but confuses ThreadSanitizer.) */
	for (struct sw_sock *s = atomic_load_explicit(&sw_all, memory_order_acquire);
	     s != NULL; s = s->next_all) {
		if (pthread_mutex_trylock(&s->lock.m) == 0)
			pthread_mutex_unlock(&s->lock.m);
		else
			pthread_mutex_init(&s->lock.m, NULL);
	}
}
