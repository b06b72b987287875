/*
 * Sending on emulated sockets: every entry point (send, sendto, sendmsg,
 * sendmmsg, write, writev) ends in sw_sendmsg.
 *
 * TCP differs from AF_UNIX where a peer has gone: TCP accepts the first
 * write after the peer closed (the peer answers it with a reset), and only
 * later writes fail with EPIPE.  UDP differs in that a datagram to an
 * address where nobody listens, or to a full receiver, is simply lost.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "bindfile.h"
#include "calls.h"
#include "pcap.h"

#define SW_UDP4_MAX 65507
#define SW_UDP6_MAX 65527

static size_t sw_msg_len(const struct msghdr *msg)
{
	size_t total = 0;

	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}

static ssize_t sw_epipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		pthread_kill(pthread_self(), SIGPIPE);
	return sw_fail(EPIPE);
}

/* What a failed stream send means in TCP terms (see the top of the file). */
static ssize_t sw_stream_failed(struct sw_sock *sock, size_t len, int flags)
{
	if (errno != EPIPE)
		return -1;
	if (!atomic_exchange(&sock->peer_gone, true))
		return (ssize_t)len;   /* the grace write: lost, as in TCP */
	return sw_epipe(flags);
}

static ssize_t sw_send_stream(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags)
{
	struct msghdr m = *msg;
	ssize_t n;

	if (!sock->connected || atomic_load(&sock->shut_wr))
		return sw_epipe(flags);
	/* TCP ignores a destination on a connected socket; AF_UNIX refuses it. */
	m.msg_name = NULL;
	m.msg_namelen = 0;
	m.msg_control = NULL;
	m.msg_controllen = 0;
	n = __builtin_expect(sw_pcap_on, 0) ? sw_pcap_tcp_send(sock, fd, &m, flags)
					    : REAL(sendmsg)(fd, &m, flags | MSG_NOSIGNAL);
	return n >= 0 ? n : sw_stream_failed(sock, sw_msg_len(msg), flags);
}

/*
 * May write()/writev() on this TCP socket be the very same system call?
 * That matters to programs under a seccomp filter (sshd's pre-auth child
 * may write(2) but not sendto(2)).  It is exact unless the peer is known to
 * have closed (a read saw end-of-file): then the grace write after a close
 * needs send(MSG_NOSIGNAL).  A write that meets a close nobody has read yet
 * gets AF_UNIX's immediate EPIPE (see docs/socket.md, limitations).  With
 * capture on, writes go the recorded way.
 */
static bool sw_stream_plain(struct sw_sock *sock)
{
	if (__builtin_expect(sw_is_restricted(), 0) && !__builtin_expect(sw_pcap_on, 0))
		return true;
	return !__builtin_expect(sw_pcap_on, 0) && sock->connected &&
	       !atomic_load_explicit(&sock->eof_seen, memory_order_relaxed) &&
	       !atomic_load_explicit(&sock->shut_wr, memory_order_relaxed) &&
	       atomic_load_explicit(&sock->pending_error, memory_order_relaxed) == 0;
}

/* send() and write() on a connected TCP socket in the careful case: one
 * buffer, one send(2) with MSG_NOSIGNAL. */
static ssize_t sw_stream_write(struct sw_sock *sock, int fd, const void *buf, size_t len,
			       int flags)
{
	int err = sw_take_pending(sock);
	ssize_t n;

	if (err)
		return sw_fail(err);
	if (!sock->connected || atomic_load_explicit(&sock->shut_wr, memory_order_relaxed))
		return sw_epipe(flags);
	n = __builtin_expect(sw_pcap_on, 0) ? sw_pcap_tcp_write(sock, fd, buf, len, flags)
					    : REAL(send)(fd, buf, len, flags | MSG_NOSIGNAL);
	return n >= 0 ? n : sw_stream_failed(sock, len, flags);
}

/* Sends one datagram to path; a missing or full receiver loses it. */
static ssize_t sw_send_to_path(int fd, struct msghdr *m, int flags, const char *path, size_t len)
{
	struct sockaddr_un sun;
	ssize_t n;

	m->msg_name = &sun;
	m->msg_namelen = sw_unix_addr(path, &sun);
	n = REAL(sendmsg)(fd, m, flags | MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == ENOENT || errno == ECONNREFUSED))
		sw_pcap_lost();
	if (n < 0 && (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN))
		return (ssize_t)len;
	return n;
}

static ssize_t sw_broadcast(struct sw_sock *sock, int fd, struct msghdr *m, int flags,
			    bool v4, unsigned port, size_t len)
{
	char path[SW_SUN_PATH];

	for (unsigned iface = 1; iface <= SW_MAX_IFACE; iface++) {
		struct sw_endpoint ep = { sw_type_letter(v4, sock->type), iface, port };

		if (sw_endpoint_path(&ep, path, sizeof(path)))
			(void)sw_send_to_path(fd, m, flags, path, len);
	}
	return (ssize_t)len;
}

static ssize_t sw_send_dgram_to(struct sw_sock *sock, int fd, struct msghdr *m, int flags,
				const struct sockaddr *to, size_t len)
{
	unsigned iface = 0;
	bool v4;
	char path[SW_SUN_PATH];
	enum sw_addr_kind kind = sw_addr_classify(to, &iface, &v4);
	struct sw_endpoint ep;

	if (len > (v4 ? SW_UDP4_MAX : SW_UDP6_MAX))
		return sw_fail(EMSGSIZE);
	switch (kind) {
	case SW_ADDR_ANY:
		iface = sw_default_iface();
		break;
	case SW_ADDR_HOST:
		break;
	case SW_ADDR_BROADCAST:
		if (!sock->opts.broadcast)
			return sw_fail(EACCES);
		break;
	case SW_ADDR_LOOPBACK_OTHER:
		break;
	default:
		return sw_fail(ENETUNREACH);
	}
	if (!sock->bound) {
		cw_lock(&sock->lock);
		int rc = sw_autobind(sock, fd, v4, false);
		cw_unlock(&sock->lock);
		if (rc != 0)
			return -1;
	}
	if (kind == SW_ADDR_BROADCAST)
		return sw_broadcast(sock, fd, m, flags, v4, sw_addr_port(to), len);
	if (kind == SW_ADDR_LOOPBACK_OTHER || iface == 0) {
		sw_pcap_lost();
		return (ssize_t)len;     /* nobody can listen there */
	}
	ep = (struct sw_endpoint){ sw_type_letter(v4, sock->type), iface, sw_addr_port(to) };
	if (!sw_endpoint_path(&ep, path, sizeof(path)))
		return sw_fail(ENAMETOOLONG);
	return sw_send_to_path(fd, m, flags, path, len);
}

/* A UDP peer whose file did not exist at connect(): try again now. */
static bool sw_connect_deferred(struct sw_sock *sock, int fd)
{
	unsigned iface = 0;
	bool v4, done = false;
	char path[SW_SUN_PATH];
	struct sockaddr_un sun;
	enum sw_addr_kind kind = sw_addr_classify((struct sockaddr *)&sock->peer, &iface, &v4);
	struct sw_endpoint ep = { sw_type_letter(v4, sock->type), iface,
				  sw_addr_port((struct sockaddr *)&sock->peer) };

	if (kind == SW_ADDR_ANY)
		ep.iface = sw_default_iface();
	else if (kind != SW_ADDR_HOST)
		return false;
	cw_lock(&sock->lock);
	if (!sock->peer_deferred) {
		done = true;
	} else if (sw_endpoint_path(&ep, path, sizeof(path)) &&
		   REAL(connect)(fd, (struct sockaddr *)&sun, sw_unix_addr(path, &sun)) == 0) {
		sock->peer_deferred = false;
		done = true;
	}
	cw_unlock(&sock->lock);
	return done;
}

static ssize_t sw_send_dgram(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags)
{
	struct msghdr m = *msg;
	size_t len = sw_msg_len(msg);
	int err = sw_take_pending(sock);
	ssize_t n;

	if (err)
		return sw_fail(err);
	m.msg_control = NULL;
	m.msg_controllen = 0;
	if (msg->msg_name != NULL && msg->msg_namelen > 0) {
		err = sw_check_inet_addr(sock, msg->msg_name, msg->msg_namelen, false);
		if (err)
			return sw_fail(err);
		return sw_send_dgram_to(sock, fd, &m, flags, msg->msg_name, len);
	}
	if (!sock->connected)
		return sw_fail(EDESTADDRREQ);
	if (sock->peer_deferred && !sw_connect_deferred(sock, fd)) {
		if (len > (sock->family == AF_INET ? SW_UDP4_MAX : SW_UDP6_MAX))
			return sw_fail(EMSGSIZE);
		/* Nobody there: this datagram is lost, the next call learns of it. */
		sw_pcap_lost();
		atomic_store(&sock->pending_error, ECONNREFUSED);
		return (ssize_t)len;
	}
	if (len > (sock->family == AF_INET ? SW_UDP4_MAX : SW_UDP6_MAX))
		return sw_fail(EMSGSIZE);
	m.msg_name = NULL;
	m.msg_namelen = 0;
	n = REAL(sendmsg)(fd, &m, flags | MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0)
		return n;
	if (errno == EAGAIN)
		return (ssize_t)len;            /* a full receiver drops it */
	if (errno == ECONNREFUSED || errno == ENOENT) {
		/* The peer went away: Linux reports the ICMP error on the next call. */
		sw_pcap_lost();
		atomic_store(&sock->pending_error, ECONNREFUSED);
		return (ssize_t)len;
	}
	return -1;
}

ssize_t sw_sendmsg(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags)
{
	if (sock->type == SOCK_STREAM) {
		int err = sw_take_pending(sock);

		return err ? sw_fail(err) : sw_send_stream(sock, fd, msg, flags);
	}
	if (__builtin_expect(sw_pcap_on, 0)) {
		ssize_t n = sw_send_dgram(sock, fd, msg, flags);

		sw_pcap_udp_sent(sock, msg, n);
		return n;
	}
	return sw_send_dgram(sock, fd, msg, flags);
}

static void sw_one_iov(struct msghdr *msg, struct iovec *iov, const void *buf, size_t len,
		       const struct sockaddr *to, socklen_t tolen)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = (void *)buf;
	iov->iov_len = len;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_name = (void *)to;
	msg->msg_namelen = tolen;
}

CW_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen)
{
	struct sw_sock *sock = sw_sock_of(fd);
	struct msghdr msg;
	struct iovec iov;

	if (sock == NULL)
		return REAL(sendto)(fd, buf, len, flags, to, tolen);
	sw_one_iov(&msg, &iov, buf, len, to, tolen);
	return sw_sendmsg(sock, fd, &msg, flags);
}

CW_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct sw_sock *sock = sw_sock_of(fd);
	struct msghdr msg;
	struct iovec iov;

	if (sock == NULL)
		return REAL(send)(fd, buf, len, flags);
	if (sock->type == SOCK_STREAM)
		return sw_stream_write(sock, fd, buf, len, flags);
	sw_one_iov(&msg, &iov, buf, len, NULL, 0);
	return sw_sendmsg(sock, fd, &msg, flags);
}

CW_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sw_sock *sock = sw_sock_of(fd);

	if (sock == NULL) {
		ssize_t n;

		if (msg == NULL || msg->msg_controllen == 0)
			return REAL(sendmsg)(fd, msg, flags);
		sw_disown_sent_fds(msg);
		sw_passing_fds(msg, true);     /* before: the receiver may be quick */
		n = REAL(sendmsg)(fd, msg, flags);
		if (n < 0) {
			int err = errno;

			sw_passing_fds(msg, false);
			errno = err;
		}
		return n;
	}
	if (msg == NULL)
		return sw_fail(EFAULT);
	return sw_sendmsg(sock, fd, msg, flags);
}

CW_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct sw_sock *sock = sw_sock_of(fd);
	unsigned i;

	if (sock == NULL)
		return REAL(sendmmsg)(fd, vec, vlen, flags);
	if (vlen > 1024)      /* UIO_MAXIOV, as the kernel clamps it */
		vlen = 1024;
	for (i = 0; i < vlen; i++) {
		ssize_t n = sw_sendmsg(sock, fd, &vec[i].msg_hdr, flags);

		if (n < 0)
			return i > 0 ? (int)i : -1;
		vec[i].msg_len = (unsigned)n;
	}
	return (int)i;
}

CW_EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	struct sw_sock *sock = sw_fd_get(fd);
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	if (__builtin_expect(sock == NULL, 1))
		return REAL(write)(fd, buf, len);
	if (sock->type == SOCK_STREAM) {
		n = sw_stream_plain(sock) ? REAL(write)(fd, buf, len)
					  : sw_stream_write(sock, fd, buf, len, 0);
	} else {
		sw_one_iov(&msg, &iov, buf, len, NULL, 0);
		n = sw_sendmsg(sock, fd, &msg, 0);
	}
	if (n < 0 && errno == ENOTSOCK) {
		/* A stale entry: the descriptor was closed behind our back. */
		sw_fd_clear(fd);
		return REAL(write)(fd, buf, len);
	}
	return n;
}

CW_EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct sw_sock *sock = sw_fd_get(fd);
	struct msghdr msg;
	ssize_t n;

	if (__builtin_expect(sock == NULL, 1))
		return REAL(writev)(fd, iov, iovcnt);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)iov;
	msg.msg_iovlen = iovcnt < 0 ? 0 : (size_t)iovcnt;
	if (iovcnt < 0)
		return sw_fail(EINVAL);
	if (sock->type == SOCK_STREAM && sw_stream_plain(sock))
		return REAL(writev)(fd, iov, iovcnt);
	n = sw_sendmsg(sock, fd, &msg, 0);
	if (n < 0 && errno == ENOTSOCK) {
		sw_fd_clear(fd);
		return REAL(writev)(fd, iov, iovcnt);
	}
	return n;
}
