/*
 * The differential probe of the socket shim.
 *
 *     socket_probe SERVER_IP CLIENT_IP PORT_BASE [v6|v4]
 *
 * Runs a fixed series of scenarios against real sockets and prints what
 * every call returned: values, errno names, bytes, and addresses written
 * as SERVER / CLIENT / ANY (ports as numbers, or EPH for ephemeral ones).
 * Run once on real loopback (127.0.0.1 / 127.0.0.2) and once under the
 * shim with fake hosts: the two transcripts must be identical.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int family = AF_INET;
static const char *server_ip, *client_ip;
static int port_base;
static int merge_hosts;   /* IPv6 loopback has one address: SERVER = CLIENT */

static const char *errname(int e)
{
	switch (e) {
#define E(x) case x: return #x;
	E(EADDRINUSE) E(ECONNREFUSED) E(EINPROGRESS) E(EPIPE) E(ENOTCONN) E(EISCONN)
	E(EINVAL) E(EAGAIN) E(EMSGSIZE) E(EACCES) E(EPROTONOSUPPORT) E(ENOPROTOOPT)
	E(EAFNOSUPPORT) E(EDESTADDRREQ) E(EOPNOTSUPP) E(ECONNRESET) E(EALREADY)
	E(EADDRNOTAVAIL) E(ENETUNREACH) E(EFAULT) E(EBADF) E(ENOTSOCK) E(ESOCKTNOSUPPORT)
	E(EPERM) E(ENOENT)
#undef E
	default: return "E?";
	}
}

#define SHOW(label, expr)                                                        \
	do {                                                                     \
		errno = 0;                                                       \
		long r_ = (long)(expr);                                          \
		if (r_ < 0)                                                      \
			printf("%s: -1 %s\n", label, errname(errno));            \
		else                                                             \
			printf("%s: %ld\n", label, r_);                          \
	} while (0)

static socklen_t make_addr(struct sockaddr_storage *ss, const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, ip, &sin6->sin6_addr);
	return sizeof(*sin6);
}

static void show_addr(const char *label, const struct sockaddr_storage *ss, socklen_t len)
{
	char ip[64] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		port = ntohs(sin6->sin6_port);
	}
	const char *who = merge_hosts && (strcmp(ip, server_ip) == 0 || strcmp(ip, client_ip) == 0)
				? "HOST"
			: strcmp(ip, server_ip) == 0 ? "SERVER"
			: strcmp(ip, client_ip) == 0 ? "CLIENT"
			: (strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0) ? "ANY" : ip;
	if (port >= 32768)
		printf("%s: fam=%d len=%d %s:EPH\n", label, ss->ss_family, (int)len, who);
	else
		printf("%s: fam=%d len=%d %s:%d\n", label, ss->ss_family, (int)len, who, port);
}

static void show_name(const char *label, int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);

	if (r != 0)
		printf("%s: -1 %s\n", label, errname(errno));
	else
		show_addr(label, &ss, len);
}

static int tcp_socket(void)
{
	return socket(family, SOCK_STREAM, 0);
}

static int bind_to(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, ip, port);
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, len);
}

static int connect_to(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, ip, port);

	return connect(fd, (struct sockaddr *)&ss, len);
}

static int listener(int port)
{
	int fd = tcp_socket();

	if (bind_to(fd, server_ip, port) != 0 || listen(fd, 16) != 0) {
		printf("listener setup failed: %s\n", errname(errno));
		exit(1);
	}
	return fd;
}

/* A connected client (bound to CLIENT) and the server's accepted end. */
static void tcp_pair(int port, int *client, int *server, int *lfd)
{
	*lfd = listener(port);
	*client = tcp_socket();
	bind_to(*client, client_ip, 0);
	if (connect_to(*client, server_ip, port) != 0) {
		printf("connect failed: %s\n", errname(errno));
		exit(1);
	}
	*server = accept(*lfd, NULL, NULL);
}

static void sc_refused(int port)
{
	int fd = tcp_socket();

	SHOW("refused.blocking", connect_to(fd, server_ip, port));
	close(fd);
	fd = tcp_socket();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	SHOW("refused.nonblocking", connect_to(fd, server_ip, port));
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	SHOW("refused.poll", poll(&p, 1, 2000));
	int err = -1;
	socklen_t len = sizeof(err);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("refused.so_error: %s\n", err ? errname(err) : "0");
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("refused.so_error_again: %s\n", err ? errname(err) : "0");
	close(fd);
}

/* nginx's order: the socket is in epoll (edge-triggered) before connect. */
static void sc_epoll_first(int port)
{
	int fd = tcp_socket(), ep = epoll_create1(0), err = -1;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP };
	socklen_t len = sizeof(err);

	fcntl(fd, F_SETFL, O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	SHOW("epollfirst.refused", connect_to(fd, server_ip, port));
	SHOW("epollfirst.wait", epoll_wait(ep, &ev, 1, 2000));
	printf("epollfirst.out: %d\n", !!(ev.events & EPOLLOUT));
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("epollfirst.so_error: %s\n", err ? errname(err) : "0");
	close(fd);
	int lfd = listener(port);
	fd = tcp_socket();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	SHOW("epollfirst.connect", connect_to(fd, server_ip, port));
	SHOW("epollfirst.wait_ok", epoll_wait(ep, &ev, 1, 2000));
	printf("epollfirst.ok_out: %d\n", !!(ev.events & EPOLLOUT));
	err = -1;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("epollfirst.ok_so_error: %s\n", err ? errname(err) : "0");
	SHOW("epollfirst.send", send(fd, "x", 1, 0));
	close(fd);
	close(lfd);
	close(ep);
}

static void sc_nonblocking_ok(int port)
{
	int lfd = listener(port), fd = tcp_socket(), err = -1;
	socklen_t len = sizeof(err);
	struct pollfd p;

	bind_to(fd, client_ip, 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	int r = connect_to(fd, server_ip, port);
	printf("nbconnect: %s\n", r == 0 ? "0" : errname(errno));
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	SHOW("nbconnect.poll", poll(&p, 1, 2000));
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("nbconnect.so_error: %s\n", err ? errname(err) : "0");
	SHOW("nbconnect.again", connect_to(fd, server_ip, port));
	show_name("nbconnect.peer", fd, 1);
	int s = accept(lfd, NULL, NULL);
	SHOW("nbconnect.send", send(fd, "x", 1, 0));
	char c;
	SHOW("nbconnect.recv", recv(s, &c, 1, 0));
	close(s);
	close(fd);
	close(lfd);
}

static void sc_addrinuse(int port)
{
	int a = listener(port), b = tcp_socket(), c, s;

	SHOW("inuse.bind", bind_to(b, server_ip, port));
	close(b);
	c = tcp_socket();
	SHOW("inuse.owner_still_works", connect_to(c, server_ip, port));
	s = accept(a, NULL, NULL);
	SHOW("inuse.accept", s >= 0);
	close(s);
	close(c);
	close(a);
	b = tcp_socket();
	SHOW("inuse.rebind_after_close", bind_to(b, server_ip, port));
	close(b);
}

static void *drain(void *arg)
{
	int fd = (int)(long)arg;
	char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += n;
	return (void *)total;
}

static void sc_bulk(int port)
{
	int c, s, l;
	static char big[1 << 20];
	pthread_t t;
	void *got;

	tcp_pair(port, &c, &s, &l);
	pthread_create(&t, NULL, drain, (void *)(long)s);
	SHOW("bulk.send", send(c, big, sizeof(big), 0));
	SHOW("bulk.write", write(c, big, 5000));
	shutdown(c, SHUT_WR);
	pthread_join(t, &got);
	printf("bulk.received: %ld\n", (long)got);
	close(c);
	close(s);
	close(l);
}

static void sc_peer_closed(int port)
{
	int c, s, l;
	char buf[16];

	tcp_pair(port, &c, &s, &l);
	SHOW("closed.server_send", send(s, "last", 4, 0));
	close(s);
	usleep(50000);
	SHOW("closed.first_write", send(c, "abc", 3, MSG_NOSIGNAL));
	usleep(50000);
	SHOW("closed.second_write", send(c, "abc", 3, MSG_NOSIGNAL));
	SHOW("closed.third_write", send(c, "abc", 3, MSG_NOSIGNAL));
	close(c);
	close(l);
	(void)buf;
}

static void sc_peer_closed_read_first(int port)
{
	int c, s, l;
	char buf[16];

	tcp_pair(port, &c, &s, &l);
	SHOW("closedread.server_send", send(s, "last", 4, 0));
	close(s);
	usleep(50000);
	SHOW("closedread.read", recv(c, buf, sizeof(buf), 0));
	SHOW("closedread.eof", recv(c, buf, sizeof(buf), 0));
	SHOW("closedread.first_write", send(c, "abc", 3, MSG_NOSIGNAL));
	usleep(50000);
	SHOW("closedread.second_write", send(c, "abc", 3, MSG_NOSIGNAL));
	close(c);
	close(l);
}

static void sc_sigpipe(int port)
{
	int c, s, l;

	tcp_pair(port, &c, &s, &l);
	close(s);
	usleep(50000);
	signal(SIGPIPE, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0) {
		send(c, "a", 1, 0);
		usleep(50000);
		send(c, "a", 1, 0);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("sigpipe.child: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	close(c);
	close(l);
}

static void sc_unconnected(void)
{
	int fd = tcp_socket();
	char c;

	signal(SIGPIPE, SIG_IGN);
	SHOW("unconnected.send", send(fd, "a", 1, 0));
	SHOW("unconnected.recv", recv(fd, &c, 1, MSG_DONTWAIT));
	show_name("unconnected.peer", fd, 1);
	show_name("unconnected.name", fd, 0);
	close(fd);
}

static void sc_names(int port)
{
	int c, s, l;

	tcp_pair(port, &c, &s, &l);
	show_name("names.listener", l, 0);
	show_name("names.client_local", c, 0);
	show_name("names.client_peer", c, 1);
	show_name("names.server_local", s, 0);
	show_name("names.server_peer", s, 1);
	SHOW("names.connect_again", connect_to(c, server_ip, port));
	close(c);
	close(s);
	close(l);
	int any = tcp_socket();
	SHOW("names.listen_unbound", listen(any, 4));
	show_name("names.unbound_listener", any, 0);
	close(any);
	any = tcp_socket();
	bind_to(any, family == AF_INET ? "0.0.0.0" : "::", port + 1);
	show_name("names.wildcard", any, 0);
	close(any);
}

static void sc_half_close(int port)
{
	int c, s, l;
	char buf[16];

	tcp_pair(port, &c, &s, &l);
	SHOW("half.shutdown", shutdown(c, SHUT_WR));
	SHOW("half.server_eof", recv(s, buf, sizeof(buf), 0));
	SHOW("half.server_send", send(s, "back", 4, 0));
	SHOW("half.client_recv", recv(c, buf, sizeof(buf), 0));
	SHOW("half.client_send_after", send(c, "x", 1, MSG_NOSIGNAL));
	close(c);
	close(s);
	close(l);
}

static void sc_flags(int port)
{
	int c, s, l;
	char buf[16] = { 0 };

	tcp_pair(port, &c, &s, &l);
	SHOW("flags.dontwait_empty", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	send(c, "hello", 5, 0);
	usleep(20000);
	SHOW("flags.peek", recv(s, buf, 3, MSG_PEEK));
	printf("flags.peeked: %.3s\n", buf);
	SHOW("flags.read", recv(s, buf, sizeof(buf), 0));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		send(c, "abc", 3, 0);
		usleep(50000);
		send(c, "def", 3, 0);
		_exit(0);
	}
	SHOW("flags.waitall", recv(s, buf, 6, MSG_WAITALL));
	waitpid(pid, NULL, 0);
	close(c);
	close(s);
	close(l);
}

static int udp_socket(void)
{
	return socket(family, SOCK_DGRAM, 0);
}

static void sc_udp(int port)
{
	int srv = udp_socket(), cli = udp_socket();
	struct sockaddr_storage to, from;
	socklen_t tolen = make_addr(&to, server_ip, port), fromlen = sizeof(from);
	static char big[70000];
	char buf[8];

	bind_to(srv, server_ip, port);
	bind_to(cli, client_ip, 0);
	SHOW("udp.sendto", sendto(cli, "ping", 4, 0, (struct sockaddr *)&to, tolen));
	SHOW("udp.recvfrom", recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen));
	show_addr("udp.from", &from, fromlen);
	SHOW("udp.max", sendto(cli, big, family == AF_INET ? 65507 : 65527, 0,
			       (struct sockaddr *)&to, tolen));
	SHOW("udp.too_big", sendto(cli, big, family == AF_INET ? 65508 : 65528, 0,
				   (struct sockaddr *)&to, tolen));
	struct iovec iov = { buf, 4 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	SHOW("udp.truncated", recvmsg(srv, &msg, 0));
	printf("udp.trunc_flag: %d\n", !!(msg.msg_flags & MSG_TRUNC));
	struct sockaddr_storage nowhere;
	socklen_t nlen = make_addr(&nowhere, server_ip, port + 1);
	SHOW("udp.to_nowhere", sendto(cli, "x", 1, 0, (struct sockaddr *)&nowhere, nlen));
	SHOW("udp.no_dest", send(cli, "x", 1, 0));
	close(srv);
	close(cli);
}

static void sc_udp_connected_refused(int port)
{
	int cli = udp_socket();
	char c;

	bind_to(cli, client_ip, 0);
	SHOW("udpconn.connect", connect_to(cli, server_ip, port));
	SHOW("udpconn.send1", send(cli, "x", 1, 0));
	usleep(20000);
	SHOW("udpconn.send2", send(cli, "x", 1, 0));
	usleep(20000);
	SHOW("udpconn.send3", send(cli, "x", 1, 0));
	usleep(20000);
	SHOW("udpconn.recv", recv(cli, &c, 1, MSG_DONTWAIT));
	show_name("udpconn.peer", cli, 1);
	close(cli);
}

static void sc_broadcast(int port)
{
	int fd = udp_socket(), one = 1;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_BROADCAST) };

	if (family != AF_INET)
		return;
	bind_to(fd, client_ip, 0);
	SHOW("bcast.without", sendto(fd, "b", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	int v = 0;
	socklen_t len = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_BROADCAST, &v, &len);
	printf("bcast.opt: %d\n", v);
	SHOW("bcast.with", sendto(fd, "b", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	close(fd);
}

static void sc_pktinfo(int port)
{
	int srv = udp_socket(), cli = udp_socket(), one = 1;
	struct sockaddr_storage to;
	socklen_t tolen = make_addr(&to, server_ip, port);
	char buf[8], ctl[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };

	bind_to(srv, server_ip, port);
	if (family == AF_INET)
		SHOW("pktinfo.set", setsockopt(srv, SOL_IP, IP_PKTINFO, &one, sizeof(one)));
	else
		SHOW("pktinfo.set", setsockopt(srv, SOL_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)));
	sendto(cli, "p", 1, 0, (struct sockaddr *)&to, tolen);
	SHOW("pktinfo.recvmsg", recvmsg(srv, &msg, 0));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		char ip[64];

		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);

			inet_ntop(AF_INET, &pi->ipi_addr, ip, sizeof(ip));
			printf("pktinfo.addr: %s\n", strcmp(ip, server_ip) == 0 ? "SERVER" : ip);
		} else if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo *pi = (struct in6_pktinfo *)CMSG_DATA(c);

			inet_ntop(AF_INET6, &pi->ipi6_addr, ip, sizeof(ip));
			printf("pktinfo.addr6: %s\n", strcmp(ip, server_ip) == 0 ? "SERVER" : ip);
		} else {
			printf("pktinfo.other: %d/%d\n", c->cmsg_level, c->cmsg_type);
		}
	}
	close(srv);
	close(cli);
}

static void sc_mmsg(int port)
{
	int srv = udp_socket(), cli = udp_socket();
	struct sockaddr_storage to, from[3];
	socklen_t tolen = make_addr(&to, server_ip, port);
	char out[3][8] = { "one", "two", "three" }, in[3][16];
	struct mmsghdr sv[3], rv[3];
	struct iovec siov[3], riov[3];

	bind_to(srv, server_ip, port);
	bind_to(cli, client_ip, 0);
	memset(sv, 0, sizeof(sv));
	memset(rv, 0, sizeof(rv));
	for (int i = 0; i < 3; i++) {
		siov[i] = (struct iovec){ out[i], strlen(out[i]) };
		sv[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = tolen,
						 .msg_iov = &siov[i], .msg_iovlen = 1 };
		riov[i] = (struct iovec){ in[i], sizeof(in[i]) };
		rv[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
						 .msg_iov = &riov[i], .msg_iovlen = 1 };
	}
	SHOW("mmsg.send", sendmmsg(cli, sv, 3, 0));
	printf("mmsg.lens: %u %u %u\n", sv[0].msg_len, sv[1].msg_len, sv[2].msg_len);
	usleep(20000);
	SHOW("mmsg.recv", recvmmsg(srv, rv, 3, MSG_DONTWAIT, NULL));
	for (int i = 0; i < 3; i++) {
		printf("mmsg.got%d: %.*s\n", i, (int)rv[i].msg_len, in[i]);
		show_addr("mmsg.from", &from[i], rv[i].msg_hdr.msg_namelen);
	}
	close(srv);
	close(cli);
}

static void sc_sendfile_splice(int port)
{
	int c, s, l, p[2];
	char path[] = "/tmp/cwrap-probe-XXXXXX", buf[64] = { 0 };
	int f = mkstemp(path);

	tcp_pair(port, &c, &s, &l);
	unlink(path);
	if (write(f, "from a file", 11) != 11 || pipe(p) != 0)
		return;
	lseek(f, 0, SEEK_SET);
	SHOW("sendfile", sendfile(c, f, NULL, 11));
	SHOW("sendfile.recv", recv(s, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT) > 0);
	printf("sendfile.data: %s\n", buf);
	if (write(p[1], "through a pipe", 14) != 14)
		return;
	SHOW("splice", splice(p[0], NULL, c, NULL, 14, 0));
	memset(buf, 0, sizeof(buf));
	usleep(20000);
	SHOW("splice.recv", recv(s, buf, sizeof(buf), 0));
	printf("splice.data: %s\n", buf);
	close(f);
	close(p[0]);
	close(p[1]);
	close(c);
	close(s);
	close(l);
}

/* recv/read/recvfrom with a buffer of known size become the fortified
 * __recv_chk etc. when built with _FORTIFY_SOURCE (the test builds so). */
static void sc_fortified(int port)
{
	int c, s, l;
	char buf[8];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);

	volatile size_t four = 4, three = 3;   /* not constants: the checked forms */

	tcp_pair(port, &c, &s, &l);
	send(c, "abcdefghij", 10, 0);
	usleep(20000);
	SHOW("fortify.recv", recv(s, buf, four, 0));
	SHOW("fortify.read", read(s, buf, three));
	SHOW("fortify.recvfrom", recvfrom(s, buf, three, MSG_DONTWAIT, (struct sockaddr *)&from,
					  &flen));
	close(c);
	close(s);
	close(l);
}

struct opt { const char *name; int level, opt; };

static void sc_sockopts(void)
{
	static const struct opt opts[] = {
		{ "IP_TOS", SOL_IP, IP_TOS }, { "IP_TTL", SOL_IP, IP_TTL },
		{ "IP_PKTINFO", SOL_IP, IP_PKTINFO }, { "IP_RECVERR", SOL_IP, IP_RECVERR },
		{ "IP_MTU_DISCOVER", SOL_IP, IP_MTU_DISCOVER },
		{ "IP_MULTICAST_TTL", SOL_IP, IP_MULTICAST_TTL },
		{ "IP_MULTICAST_LOOP", SOL_IP, IP_MULTICAST_LOOP },
		{ "IPV6_V6ONLY", SOL_IPV6, IPV6_V6ONLY },
		{ "IPV6_UNICAST_HOPS", SOL_IPV6, IPV6_UNICAST_HOPS },
		{ "IPV6_TCLASS", SOL_IPV6, IPV6_TCLASS },
		{ "TCP_NODELAY", SOL_TCP, TCP_NODELAY }, { "TCP_KEEPIDLE", SOL_TCP, TCP_KEEPIDLE },
		{ "TCP_KEEPINTVL", SOL_TCP, TCP_KEEPINTVL }, { "TCP_KEEPCNT", SOL_TCP, TCP_KEEPCNT },
		{ "TCP_MAXSEG", SOL_TCP, TCP_MAXSEG }, { "TCP_CORK", SOL_TCP, TCP_CORK },
		{ "TCP_SYNCNT", SOL_TCP, TCP_SYNCNT }, { "TCP_USER_TIMEOUT", SOL_TCP, TCP_USER_TIMEOUT },
		{ "SO_DOMAIN", SOL_SOCKET, SO_DOMAIN }, { "SO_TYPE", SOL_SOCKET, SO_TYPE },
		{ "SO_PROTOCOL", SOL_SOCKET, SO_PROTOCOL }, { "SO_ERROR", SOL_SOCKET, SO_ERROR },
		{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR }, { "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE },
		{ "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST },
	};
	static const int values[] = { 0, 1, 7, 64, 255, 256, -1, -2, 100000 };
	int types[2] = { SOCK_STREAM, SOCK_DGRAM };

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			int fd = socket(family, types[t], 0), v = -99;
			socklen_t len = sizeof(v);
			char label[96];

			snprintf(label, sizeof(label), "opt.%s.%s.default",
				 t ? "udp" : "tcp", opts[i].name);
			if (getsockopt(fd, opts[i].level, opts[i].opt, &v, &len) == 0)
				printf("%s: %d len=%d\n", label, v, (int)len);
			else
				printf("%s: -1 %s\n", label, errname(errno));
			for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
				if (opts[i].level == SOL_SOCKET && opts[i].opt != SO_BROADCAST &&
				    opts[i].opt != SO_REUSEADDR && opts[i].opt != SO_KEEPALIVE)
					continue;
				snprintf(label, sizeof(label), "opt.%s.%s=%d", t ? "udp" : "tcp",
					 opts[i].name, values[k]);
				errno = 0;
				int r = setsockopt(fd, opts[i].level, opts[i].opt, &values[k],
						   sizeof(int));
				v = -99;
				len = sizeof(v);
				int g = getsockopt(fd, opts[i].level, opts[i].opt, &v, &len);
				printf("%s: set=%s get=%d\n", label, r == 0 ? "0" : errname(errno),
				       g == 0 ? v : -99);
			}
			close(fd);
		}
	}
	errno = 0;
	SHOW("socket.dgram_tcp", socket(family, SOCK_DGRAM, IPPROTO_TCP));
	SHOW("socket.stream_udp", socket(family, SOCK_STREAM, IPPROTO_UDP));
	int fd = tcp_socket(), v = 0;
	socklen_t len = 1;
	setsockopt(fd, SOL_IP, IP_TTL, &(int){ 9 }, sizeof(int));
	SHOW("opt.short_len_get", getsockopt(fd, SOL_IP, IP_TTL, &v, &len));
	printf("opt.short_len: len=%d val=%d\n", (int)len, v & 0xff);
	SHOW("opt.short_set", setsockopt(fd, SOL_TCP, TCP_NODELAY, &v, 2));
	close(fd);
}

static void sc_bad_addresses(int port)
{
	int fd = tcp_socket();
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, server_ip, port);

	SHOW("bad.short_len", connect(fd, (struct sockaddr *)&ss, len - 10));
	ss.ss_family = family == AF_INET ? AF_INET6 : AF_INET;
	SHOW("bad.family", connect(fd, (struct sockaddr *)&ss, len));
	SHOW("bad.bind_short", bind(fd, (struct sockaddr *)&ss, 4));
	close(fd);
	fd = udp_socket();
	SHOW("bad.listen_udp", listen(fd, 1));
	close(fd);
}

static void run(const char *name, void (*fn)(int), int port)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(20);
		fn(port);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("%s: scenario died (status %d)\n", name, status);
}

static void sockopts(int port) { (void)port; sc_sockopts(); }
static void unconnected(int port) { (void)port; sc_unconnected(); }

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: socket_probe SERVER_IP CLIENT_IP PORT_BASE [v6|v4]\n");
		return 2;
	}
	server_ip = argv[1];
	client_ip = argv[2];
	port_base = atoi(argv[3]);
	if (argc > 4 && strcmp(argv[4], "v6") == 0) {
		family = AF_INET6;
		merge_hosts = 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	run("refused", sc_refused, port_base);
	run("nonblocking", sc_nonblocking_ok, port_base + 1);
	run("epoll_first", sc_epoll_first, port_base + 17);
	run("addrinuse", sc_addrinuse, port_base + 2);
	run("bulk", sc_bulk, port_base + 3);
	run("peer_closed", sc_peer_closed, port_base + 4);
	run("peer_closed_read", sc_peer_closed_read_first, port_base + 5);
	run("sigpipe", sc_sigpipe, port_base + 6);
	run("unconnected", unconnected, 0);
	run("names", sc_names, port_base + 7);
	run("half_close", sc_half_close, port_base + 9);
	run("flags", sc_flags, port_base + 10);
	run("udp", sc_udp, port_base + 11);
	run("udp_connected", sc_udp_connected_refused, port_base + 13);
	run("broadcast", sc_broadcast, port_base + 14);
	run("pktinfo", sc_pktinfo, port_base + 15);
	run("sockopts", sockopts, 0);
	run("bad_addresses", sc_bad_addresses, port_base + 16);
	run("mmsg", sc_mmsg, port_base + 18);
	run("sendfile_splice", sc_sendfile_splice, port_base + 19);
	run("fortified", sc_fortified, port_base + 20);
	return 0;
}
