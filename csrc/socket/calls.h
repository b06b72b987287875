/*
 * What the per-call files share: finding the emulated socket behind a
 * descriptor, checking addresses the way the kernel does, and small
 * error helpers.
 */
#ifndef SW_CALLS_H
#define SW_CALLS_H

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "fdtable.h"
#include "init.h"
#include "shim.h"
#include "sock.h"
#include "symbols_real.h"

void sw_init(void);

/* Descriptors of the shim's own (files it open()s, pipes) are closed with
 * close(), not REAL(close): a sanitizer's interceptors, which saw them
 * opened, must see them closed, or a reused number looks like a race.
 * Only the sockets made through REAL() are closed through REAL(). */

/* A seccomp filter is installed: keep to the program's own system calls
 * (read/write), see seccomp.c. */
extern _Atomic bool sw_restricted;

static inline bool sw_is_restricted(void)
{
	return atomic_load_explicit(&sw_restricted, memory_order_relaxed);
}

/* Is the shim configured (SW_ON)?  Initialises on first use. */
static inline enum sw_state sw_state(void)
{
	cw_init(sw_init);
	return sw_config()->state;
}

/* The emulated socket behind fd for a socket-only call (getsockname, send,
 * accept, ...): a descriptor inherited across exec or received with
 * SCM_RIGHTS is recognised by its socket file and adopted. */
struct sw_sock *sw_sock_of(int fd);
/* Recognises the emulated sockets a program inherited (adopt.c). */
void sw_adopt_inherited(void);

static inline int sw_fail(int err)
{
	errno = err;
	return -1;
}

/* A pending asynchronous error (ECONNREFUSED after a refused non-blocking
 * connect, or a UDP datagram that found no listener), consumed once. */
static inline int sw_take_pending(struct sw_sock *sock)
{
	if (atomic_load_explicit(&sock->pending_error, memory_order_relaxed) == 0)
		return 0;
	return atomic_exchange(&sock->pending_error, 0);
}

/* 0, or the errno the kernel gives for this address on this socket. */
int sw_check_inet_addr(const struct sw_sock *sock, const struct sockaddr *sa,
		       socklen_t len, bool for_bind);

/* Stream or datagram sending and receiving (send.c, recv.c). */
ssize_t sw_sendmsg(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags);
ssize_t sw_recvmsg(struct sw_sock *sock, int fd, struct msghdr *msg, int flags);

/* Forgets every descriptor passed in SCM_RIGHTS control messages (received
 * ones may reuse numbers the table still remembers). */
void sw_forget_passed_fds(const struct msghdr *msg);

/* Stops this process from unlinking the files of sockets it sends away. */
void sw_disown_sent_fds(const struct msghdr *msg);
/* Descriptors about to be sent (true), or not sent after all (false). */
void sw_passing_fds(const struct msghdr *msg, bool sending);

#endif
