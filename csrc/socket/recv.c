/*
 * Receiving on emulated sockets: every entry point (recv, recvfrom,
 * recvmsg, recvmmsg, read, readv and the _FORTIFY_SOURCE variants) ends in
 * sw_recvmsg, which turns the sender's socket file back into its fake
 * address and adds IP_PKTINFO / IPV6_PKTINFO when asked for.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "calls.h"
#include "pcap.h"

static void sw_sender_address(const struct sw_sock *sock, const struct sockaddr_un *sun,
			      socklen_t sun_len, struct msghdr *msg)
{
	struct sockaddr_storage from;
	socklen_t from_len;
	struct sw_endpoint ep;
	char path[SW_SUN_PATH];

	sw_sun_path(sun, sun_len, path, sizeof(path));
	if (sw_path_endpoint(path, &ep)) {
		from_len = sw_endpoint_sockaddr(&ep, sock->family, &from);
	} else {
		memset(&from, 0, sizeof(from));
		from.ss_family = (sa_family_t)sock->family;
		from_len = sock->family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6);
	}
	sw_copy_out(&from, from_len, msg->msg_name, &msg->msg_namelen);
}

/* The destination a datagram was sent to: this socket's own host. */
static void sw_add_pktinfo(const struct sw_sock *sock, struct msghdr *msg)
{
	struct sw_endpoint ep = { 0 };
	struct sockaddr_storage self;
	unsigned iface = sw_path_endpoint(sock->path, &ep) ? ep.iface : sw_default_iface();
	bool v4 = ep.letter == 'U' || sock->family == AF_INET;
	struct cmsghdr *c;

	sw_host_sockaddr(iface, AF_INET6, v4, &self);
	if (sock->family == AF_INET && sock->opts.pktinfo &&
	    msg->msg_controllen >= CMSG_SPACE(sizeof(struct in_pktinfo))) {
		struct in_pktinfo info = { .ipi_ifindex = (int)iface };

		memcpy(&info.ipi_addr, &((struct sockaddr_in6 *)&self)->sin6_addr.s6_addr[12], 4);
		info.ipi_spec_dst = info.ipi_addr;
		c = CMSG_FIRSTHDR(msg);
		c->cmsg_level = SOL_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
		msg->msg_controllen = CMSG_SPACE(sizeof(info));
		return;
	}
	if (sock->family == AF_INET6 && sock->opts.pktinfo6 &&
	    msg->msg_controllen >= CMSG_SPACE(sizeof(struct in6_pktinfo))) {
		struct in6_pktinfo info = { .ipi6_ifindex = iface };

		info.ipi6_addr = ((struct sockaddr_in6 *)&self)->sin6_addr;
		c = CMSG_FIRSTHDR(msg);
		c->cmsg_level = SOL_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
		msg->msg_controllen = CMSG_SPACE(sizeof(info));
		return;
	}
	msg->msg_controllen = 0;
}

static size_t sw_iov_len(const struct msghdr *msg)
{
	size_t total = 0;

	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}

/* A stream read of 0 bytes into a non-empty buffer is the peer's close. */
static ssize_t sw_note_eof(struct sw_sock *sock, ssize_t n, size_t asked)
{
	if (n == 0 && asked > 0)
		atomic_store_explicit(&sock->eof_seen, true, memory_order_relaxed);
	return n;
}

ssize_t sw_recvmsg(struct sw_sock *sock, int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_un sun;
	struct msghdr m = *msg;
	int err = sw_take_pending(sock);
	ssize_t n;

	if (err)
		return sw_fail(err);
	if (sock->type == SOCK_STREAM) {
		if (!sock->connected)
			return sw_fail(ENOTCONN);
		/* TCP reports no sender address and no control data here. */
		m.msg_name = NULL;
		m.msg_namelen = 0;
		m.msg_control = NULL;
		m.msg_controllen = 0;
		n = REAL(recvmsg)(fd, &m, flags);
		if (__builtin_expect(sw_pcap_on, 0) && !(flags & MSG_PEEK))
			sw_pcap_tcp_received(sock, n);
		if (n >= 0) {
			msg->msg_flags = m.msg_flags;
			msg->msg_namelen = 0;
			msg->msg_controllen = 0;
		}
		return sw_note_eof(sock, n, sw_iov_len(msg));
	}
	memset(&sun, 0, sizeof(sun));
	m.msg_name = &sun;
	m.msg_namelen = sizeof(sun);
	m.msg_control = NULL;
	m.msg_controllen = 0;
	n = REAL(recvmsg)(fd, &m, flags);
	if (n < 0)
		return n;
	msg->msg_flags = m.msg_flags;
	if (msg->msg_name == NULL)
		msg->msg_namelen = 0;
	else
		sw_sender_address(sock, &sun, m.msg_namelen, msg);
	if (msg->msg_control != NULL && sock->type == SOCK_DGRAM)
		sw_add_pktinfo(sock, msg);
	else
		msg->msg_controllen = 0;
	return n;
}

static void sw_one_iov(struct msghdr *msg, struct iovec *iov, void *buf, size_t len,
		       struct sockaddr *from, socklen_t *fromlen)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = buf;
	iov->iov_len = len;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_name = from;
	msg->msg_namelen = fromlen ? *fromlen : 0;
}

CW_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
			   struct sockaddr *from, socklen_t *fromlen)
{
	struct sw_sock *sock = sw_sock_of(fd);
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	if (sock == NULL)
		return REAL(recvfrom)(fd, buf, len, flags, from, fromlen);
	if (from != NULL && fromlen != NULL && (int)*fromlen < 0)
		return sw_fail(EINVAL);
	sw_one_iov(&msg, &iov, buf, len, fromlen ? from : NULL, fromlen);
	n = sw_recvmsg(sock, fd, &msg, flags);
	if (n >= 0 && from != NULL && fromlen != NULL)
		*fromlen = msg.msg_namelen;
	return n;
}

CW_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

CW_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sw_sock *sock = sw_sock_of(fd);
	ssize_t n;

	if (sock == NULL) {
		n = REAL(recvmsg)(fd, msg, flags);
		if (n >= 0 && msg->msg_controllen > 0)
			sw_forget_passed_fds(msg);
		return n;
	}
	if (msg == NULL)
		return sw_fail(EFAULT);
	return sw_recvmsg(sock, fd, msg, flags);
}

CW_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
		       struct timespec *timeout)
{
	struct sw_sock *sock = sw_sock_of(fd);
	unsigned i;

	if (sock == NULL)
		return REAL(recvmmsg)(fd, vec, vlen, flags, timeout);
	if (vlen > 1024)
		vlen = 1024;
	for (i = 0; i < vlen; i++) {
		ssize_t n = sw_recvmsg(sock, fd, &vec[i].msg_hdr, flags);

		if (n < 0)
			return i > 0 ? (int)i : -1;
		vec[i].msg_len = (unsigned)n;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return (int)i;
}

CW_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	struct sw_sock *sock = sw_fd_get(fd);
	struct msghdr msg;
	struct iovec iov;
	ssize_t n;

	if (__builtin_expect(sock == NULL, 1))
		return REAL(read)(fd, buf, len);
	if (sock->type == SOCK_STREAM) {
		int err = sw_take_pending(sock);

		if (err)
			return sw_fail(err);
		n = REAL(read)(fd, buf, len);
		if (__builtin_expect(sw_pcap_on, 0) && len > 0)
			sw_pcap_tcp_received(sock, n);
		return sw_note_eof(sock, n, len);
	}
	sw_one_iov(&msg, &iov, buf, len, NULL, NULL);
	n = sw_recvmsg(sock, fd, &msg, 0);
	if (n < 0 && errno == ENOTSOCK) {
		sw_fd_clear(fd);        /* stale: closed behind our back */
		return REAL(read)(fd, buf, len);
	}
	return n;
}

CW_EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct sw_sock *sock = sw_fd_get(fd);
	struct msghdr msg;
	ssize_t n;

	if (__builtin_expect(sock == NULL, 1))
		return REAL(readv)(fd, iov, iovcnt);
	if (iovcnt < 0)
		return sw_fail(EINVAL);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)iov;
	msg.msg_iovlen = (size_t)iovcnt;
	if (sock->type == SOCK_STREAM) {
		/* The same system call the program made (seccomp filters). */
		int err = sw_take_pending(sock);

		if (err)
			return sw_fail(err);
		n = REAL(readv)(fd, iov, iovcnt);
		if (__builtin_expect(sw_pcap_on, 0) && sw_iov_len(&msg) > 0)
			sw_pcap_tcp_received(sock, n);
		return sw_note_eof(sock, n, sw_iov_len(&msg));
	}
	n = sw_recvmsg(sock, fd, &msg, 0);
	if (n < 0 && errno == ENOTSOCK) {
		sw_fd_clear(fd);
		return REAL(readv)(fd, iov, iovcnt);
	}
	return n;
}
