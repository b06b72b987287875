/*
 * What the shim knows about one emulated inet socket.
 *
 * Several descriptors (dup, fork) may share one sw_sock; `refs` counts the
 * descriptors of this process that refer to it.  Objects are never handed
 * back to malloc: a thread that raced a close() of the same descriptor
 * reads a stale but valid object, never freed memory.
 */
#ifndef SW_SOCK_H
#define SW_SOCK_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "config.h"
#include "lock.h"
#include "pcap_state.h"
#include "sockopt_store.h"

struct sw_sock {
	_Atomic int refs;
	struct cw_mutex lock;
	struct sw_sock *next_free;
	struct sw_sock *next_all; /* every object ever made (sw_sock_fork_child) */

	int family;              /* AF_INET or AF_INET6 */
	int type;                /* SOCK_STREAM or SOCK_DGRAM, without flags */
	int protocol;            /* IPPROTO_TCP or IPPROTO_UDP */

	bool bound;              /* has a fake local address (and a file) */
	bool wildcard;           /* bound to 0.0.0.0 / :: */
	bool listening;
	bool connected;          /* stream: connected; dgram: has a default peer */
	bool peer_deferred;      /* dgram peer whose file does not exist yet */
	bool nonblock_connect;   /* a non-blocking connect is in progress */
	_Atomic bool shut_wr;    /* shutdown(SHUT_WR) done: sends fail at once */
	_Atomic bool peer_gone;  /* stream peer closed and the grace write is used */
	_Atomic bool eof_seen;   /* a read returned end-of-file: the peer closed */
	_Atomic int pending_error; /* reported once by SO_ERROR or the next call */

	pid_t file_owner;        /* pid that created the socket file, 0 if none */
	char path[SW_SUN_PATH];  /* the socket file, "" if unbound */
	char alias[SW_SUN_PATH]; /* IPv4 name of a dual-stack IPv6 socket, or "" */

	struct sockaddr_storage local;
	socklen_t local_len;
	struct sockaddr_storage peer;
	socklen_t peer_len;

	struct sw_opts opts;
	struct sw_pcap_tcp pcap;    /* capture state (pcap_tcp.c) */
};

/* A fresh object (refs = 1), or NULL with errno ENFILE at the limit. */
struct sw_sock *sw_sock_new(int family, int type, int protocol);
void sw_sock_ref(struct sw_sock *sock);
/* Drops one reference; the last one unlinks the file if this process made it. */
void sw_sock_unref(struct sw_sock *sock);

/*
 * The fork() child handler: re-initialises the lock of every object.  A
 * thread of the parent may hold one across a blocking call (connect) at
 * fork time; that thread does not exist in the child, whose calls on the
 * inherited socket would otherwise wait for it forever.
 */
void sw_sock_fork_child(void);

static inline bool sw_is_stream(const struct sw_sock *sock)
{
	return sock->type == SOCK_STREAM;
}

#endif
