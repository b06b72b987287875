#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sock.h"
#include "socket_lock.h"
#include "symbols_real.h"

static struct sw_sock *sw_free_list;
static unsigned long sw_live;

struct sw_sock *sw_sock_new(int family, int type, int protocol)
{
	struct sw_sock *sock;

	cw_lock(&sw_pool_lock);
	if (sw_live >= sw_config()->max_sockets) {
		cw_unlock(&sw_pool_lock);
		CW_LOG(CW_WARN, "SOCKET_WRAPPER_MAX_SOCKETS=%lu reached",
		       sw_config()->max_sockets);
		errno = ENFILE;
		return NULL;
	}
	sock = sw_free_list;
	if (sock != NULL)
		sw_free_list = sock->next_free;
	sw_live++;
	cw_unlock(&sw_pool_lock);
	if (sock == NULL && (sock = malloc(sizeof(*sock))) == NULL) {
		cw_lock(&sw_pool_lock);
		sw_live--;
		cw_unlock(&sw_pool_lock);
		errno = ENOMEM;
		return NULL;
	}
	memset(sock, 0, sizeof(*sock));
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
	cw_lock(&sw_pool_lock);
	sock->next_free = sw_free_list;
	sw_free_list = sock;
	sw_live--;
	cw_unlock(&sw_pool_lock);
	errno = saved_errno;
}
