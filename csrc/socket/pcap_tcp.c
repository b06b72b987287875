/*
 * TCP conversations in the capture: one coherent view of each connection,
 * even when both ends are wrapped, without the two ends talking.
 *
 * - Each direction is recorded by its sender.  Both ends derive the same
 *   initial sequence numbers from the 4-tuple (a hash), so the sequence
 *   number of a byte is isn + 1 + its offset in the stream, and the ack
 *   field is the peer's isn + 1 + what this side has read.
 * - Order in the file is what makes the analysis hold: a send is recorded
 *   *before* the kernel takes it, so the peer can only read, and
 *   acknowledge, bytes already in the file.  A send the kernel takes only
 *   in part leaves the rest recorded ahead; the program sends those bytes
 *   again (TCP semantics) and they are not recorded twice.
 * - The connecting side records the whole handshake (SYN, SYN-ACK, ACK)
 *   before its connect: the listening kernel answers without the server
 *   program, whose first segment may come right after.
 * - The closing side records its FIN (or RST when it closes with unread
 *   data, as Linux does); the other side records the ACK of that FIN when
 *   it reads the end of the stream, and at its own close the final ACK of
 *   a peer that is gone.  A write to a closed peer is answered by the
 *   peer's RST, recorded by the writer.
 * - The receiver records a pure ACK every SW_ACK_EVERY bytes read, so the
 *   data in flight stays within the advertised window.
 * - The state is shared by the processes that hold the connection
 *   (pcap_conns.c): a close ends the connection in the capture only when
 *   no other process still has it, as the kernel sends FIN only then.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "calls.h"
#include "log.h"
#include "pcap.h"

#define SW_CHUNK (256 * 1024)
#define SW_ACK_EVERY (64 * 1024)

/* The records of one event: headers built in `buf`, payloads left where
 * the program has them; written with one writev() (pcap_file.c). */
struct sw_batch_ent {
	size_t hdr_off, hdr_len;
	const uint8_t *data;
	size_t len;
};

struct sw_batch {
	uint8_t *buf;
	size_t len, cap;
	struct sw_batch_ent *ents;
	size_t n, ncap;
};

static bool sw_batch_room(struct sw_batch *b)
{
	if (b->len + SW_PCAP_MAX_HDRS > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16 * SW_PCAP_MAX_HDRS;
		uint8_t *p = realloc(b->buf, cap);

		if (p == NULL)
			return false;
		b->buf = p;
		b->cap = cap;
	}
	if (b->n == b->ncap) {
		size_t cap = b->ncap ? 2 * b->ncap : 16;
		struct sw_batch_ent *e = realloc(b->ents, cap * sizeof(*e));

		if (e == NULL)
			return false;
		b->ents = e;
		b->ncap = cap;
	}
	return true;
}

#define SW_WRITEV_ENTS 500     /* 2 iovecs each, below IOV_MAX */

static void sw_batch_flush(struct sw_batch *b)
{
	struct iovec iov[2 * SW_WRITEV_ENTS];
	uint8_t *stamp[SW_WRITEV_ENTS];

	for (size_t i = 0; i < b->n;) {
		int cnt = 0, ns = 0;

		for (; i < b->n && ns < SW_WRITEV_ENTS; i++) {
			struct sw_batch_ent *e = &b->ents[i];

			stamp[ns++] = b->buf + e->hdr_off;
			iov[cnt++] = (struct iovec){ b->buf + e->hdr_off, e->hdr_len };
			if (e->len)
				iov[cnt++] = (struct iovec){ (void *)e->data, e->len };
		}
		sw_pcap_writev(iov, cnt, stamp, ns);
	}
	free(b->buf);
	free(b->ents);
	memset(b, 0, sizeof(*b));
}

static void sw_seg(struct sw_batch *b, const struct sw_pcap_flow *f, bool ours,
		   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t len)
{
	struct sw_tcp_seg seg = { seq, ack, flags, data, len };
	size_t hdr;

	if (!sw_batch_room(b))
		return;
	hdr = ours ? sw_pkt_tcp_hdr(b->buf + b->len, &f->self, &f->peer, &seg)
		   : sw_pkt_tcp_hdr(b->buf + b->len, &f->peer, &f->self, &seg);
	b->ents[b->n++] = (struct sw_batch_ent){ b->len, hdr, data, len };
	b->len += hdr;
}

static uint32_t sw_isn(const struct sw_pcap_ep *from, const struct sw_pcap_ep *to)
{
	uint32_t h = 0x811c9dc5u;
	uint8_t key[36];
	size_t n = 0;

	memcpy(key + n, from->addr, 16); n += 16;
	key[n++] = (uint8_t)(from->port >> 8); key[n++] = (uint8_t)from->port;
	memcpy(key + n, to->addr, 16); n += 16;
	key[n++] = (uint8_t)(to->port >> 8); key[n++] = (uint8_t)to->port;
	for (size_t i = 0; i < n; i++) {
		h ^= key[i];
		h *= 0x01000193u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* An IPv6 fake host seen from an IPv4 peer (v4-mapped) is its IPv4 self. */
static void sw_to_v4(struct sw_pcap_ep *ep)
{
	struct sockaddr_storage h;

	if (!ep->v6)
		return;
	sw_host_sockaddr(ep->addr[15] ? ep->addr[15] : sw_default_iface(), AF_INET, true, &h);
	memset(ep->addr, 0, sizeof(ep->addr));
	memcpy(ep->addr, &((struct sockaddr_in *)&h)->sin_addr, 4);
	ep->v6 = false;
}

static void sw_flow_of(const struct sw_sock *sock, const struct sockaddr *peer,
		       struct sw_pcap_flow *f)
{
	memset(f, 0, sizeof(*f));
	sw_pcap_endpoint((const struct sockaddr *)&sock->local, &f->self);
	sw_pcap_endpoint(peer, &f->peer);
	if (f->self.v6 != f->peer.v6) {
		sw_to_v4(&f->self);
		sw_to_v4(&f->peer);
	}
	f->isn_self = sw_isn(&f->self, &f->peer);
	f->isn_peer = sw_isn(&f->peer, &f->self);
}

static struct sw_pcap_conn *sw_conn_of(struct sw_sock *sock)
{
	return atomic_load_explicit(&sock->pcap.conn, memory_order_acquire);
}

static pid_t sw_own_pid;

/* Asked on every captured send and read: the pid kept since start or the
 * last fork, not a system call each time. */
static bool sw_mine(const struct sw_pcap_conn *t)
{
	pid_t self = __atomic_load_n(&sw_own_pid, __ATOMIC_RELAXED);

	if (__builtin_expect(self == 0, 0)) {   /* before our constructor ran */
		self = REAL(getpid)();
		__atomic_store_n(&sw_own_pid, self, __ATOMIC_RELAXED);
	}
	return sw_conn_has(t, self);
}

void sw_pcap_tcp_passed(struct sw_sock *sock, int delta)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);

	if (t == NULL || !t->shared)
		return;
	sw_conn_lock(t);
	if (delta > 0 || t->in_flight > 0)
		t->in_flight += (uint32_t)delta;
	sw_conn_unlock(t);
}

bool sw_pcap_tcp_captured(struct sw_sock *sock)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);

	return t != NULL && __atomic_load_n(&t->active, __ATOMIC_RELAXED);
}

/* The connection's state, made (or made anew, for a second connect) and
 * locked; NULL when there is no memory for it. */
static struct sw_pcap_conn *sw_flow_init(struct sw_sock *sock, int fd,
					 const struct sockaddr *peer)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);

	if (t == NULL) {
		t = sw_conn_new(fd);
		if (t == NULL)
			return NULL;
		atomic_store_explicit(&sock->pcap.conn, t, memory_order_release);
	}
	sw_conn_lock(t);
	sw_flow_of(sock, peer, &t->flow);
	t->sent = t->recorded = t->rcvd = t->acked = 0;
	t->fin_sent = t->fin_acked = false;
	t->active = true;
	return t;
}

static uint32_t sw_my_seq(const struct sw_pcap_conn *t)
{
	return t->flow.isn_self + 1 + (uint32_t)t->recorded + (t->fin_sent ? 1 : 0);
}

/* The ack field of our next segment; remembers that it was sent. */
static uint32_t sw_my_ack(struct sw_pcap_conn *t)
{
	t->acked = t->rcvd;
	return t->flow.isn_peer + 1 + (uint32_t)t->rcvd + (t->fin_acked ? 1 : 0);
}

void sw_pcap_tcp_connect(struct sw_sock *sock, int fd, const struct sockaddr *addr,
			 bool listener)
{
	struct sw_pcap_conn *t;
	struct sw_batch b = { 0 };
	int saved = errno;

	t = sw_flow_init(sock, fd, addr);
	if (t == NULL)
		goto out;
	sw_seg(&b, &t->flow, true, t->flow.isn_self, 0, SW_TCP_SYN, NULL, 0);
	if (listener) {
		sw_seg(&b, &t->flow, false, t->flow.isn_peer, t->flow.isn_self + 1,
		       SW_TCP_SYN | SW_TCP_ACK, NULL, 0);
		sw_seg(&b, &t->flow, true, t->flow.isn_self + 1, sw_my_ack(t), SW_TCP_ACK, NULL, 0);
	}
	sw_conn_unlock(t);
	sw_batch_flush(&b);
out:
	errno = saved;
}

void sw_pcap_tcp_connect_failed(struct sw_sock *sock, bool listener)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	struct sw_batch b = { 0 };
	int saved = errno;

	if (t == NULL)
		return;
	sw_conn_lock(t);
	if (t->active) {
		/* Refused: the host answers the SYN with RST/ACK.  A handshake
		 * already recorded (the listener vanished) ends with RST. */
		if (listener)
			sw_seg(&b, &t->flow, false, t->flow.isn_peer + 1, 0, SW_TCP_RST, NULL, 0);
		else
			sw_seg(&b, &t->flow, false, 0, t->flow.isn_self + 1,
			       SW_TCP_RST | SW_TCP_ACK, NULL, 0);
		t->active = false;
	}
	sw_conn_unlock(t);
	sw_batch_flush(&b);
	errno = saved;
}

void sw_pcap_tcp_accepted(struct sw_sock *sock, int fd)
{
	int saved = errno;
	struct sw_pcap_conn *t = sw_flow_init(sock, fd, (const struct sockaddr *)&sock->peer);

	if (t != NULL)
		sw_conn_unlock(t);
	errno = saved;
}

void sw_pcap_tcp_adopted(struct sw_sock *sock, int fd)
{
	int saved = errno;
	struct sw_pcap_conn *t;
	struct sw_pcap_flow f;

	if (!sock->connected || sock->type != SOCK_STREAM || (t = sw_conn_find(fd)) == NULL)
		goto out;
	sw_flow_of(sock, (const struct sockaddr *)&sock->peer, &f);
	sw_conn_lock(t);
	/* The same 4-tuple too, not merely a recycled inode number. */
	if (memcmp(&t->flow.self, &f.self, sizeof(f.self)) == 0 &&
	    memcmp(&t->flow.peer, &f.peer, sizeof(f.peer)) == 0) {
		if (t->in_flight > 0)
			t->in_flight--;      /* it arrived (SCM_RIGHTS) */
		sw_conn_add(t, REAL(getpid)());
		atomic_store_explicit(&sock->pcap.conn, t, memory_order_release);
	}
	sw_conn_unlock(t);
out:
	errno = saved;
}

/* Records data at stream offset `off` that is not yet in the file. */
static void sw_record_ahead(struct sw_pcap_conn *t, uint64_t off, const uint8_t *data,
			    size_t len, struct sw_batch *b)
{
	uint64_t end = off + len;
	size_t mss = sw_pkt_mss(&t->flow.self);

	if (!t->active || t->fin_sent || t->recorded >= end || !sw_mine(t))
		return;
	if (t->recorded > off) {
		data += t->recorded - off;
		len = (size_t)(end - t->recorded);
	}
	while (len > 0) {
		size_t n = len < mss ? len : mss;
		uint32_t seq = sw_my_seq(t);

		sw_seg(b, &t->flow, true, seq, sw_my_ack(t),
		       SW_TCP_ACK | (n == len ? SW_TCP_PSH : 0), data, n);
		t->recorded += n;
		data += n;
		len -= n;
	}
}

void sw_pcap_tcp_ahead(struct sw_sock *sock, const uint8_t *data, size_t len)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	struct sw_batch b = { 0 };
	int saved = errno;

	if (t == NULL)
		return;
	sw_conn_lock(t);
	sw_record_ahead(t, t->sent, data, len, &b);
	sw_conn_unlock(t);
	sw_batch_flush(&b);
	errno = saved;
}

/* The peer is gone and answers our segment with RST (see send.c). */
static void sw_peer_reset(struct sw_pcap_conn *t)
{
	struct sw_batch b = { 0 };

	sw_conn_lock(t);
	if (t->active) {
		uint32_t seq = t->flow.isn_peer + 1 + (uint32_t)t->rcvd + (t->fin_acked ? 1 : 0);

		sw_seg(&b, &t->flow, false, seq, 0, SW_TCP_RST, NULL, 0);
		t->active = false;
	}
	sw_conn_unlock(t);
	sw_batch_flush(&b);
}

void sw_pcap_tcp_sent(struct sw_sock *sock, ssize_t n, int err)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	int saved = errno;

	if (t == NULL)
		return;
	if (n > 0) {
		sw_conn_lock(t);
		t->sent += (uint64_t)n;
		sw_conn_unlock(t);
	} else if (n < 0 && err == EPIPE && !atomic_load(&sock->peer_gone)) {
		sw_peer_reset(t);
	}
	errno = saved;
}

/* The program's data on its way: send(MSG_NOSIGNAL), or under seccomp
 * the write(2) the program itself made. */
static ssize_t sw_raw_send(int fd, const void *buf, size_t len, int flags)
{
	if (sw_is_restricted() && flags == 0)
		return REAL(write)(fd, buf, len);
	return REAL(send)(fd, buf, len, flags | MSG_NOSIGNAL);
}

static ssize_t sw_send_linear(struct sw_sock *sock, int fd, const uint8_t *buf, size_t len,
			      int flags)
{
	size_t done = 0;

	do {
		size_t n = len - done < SW_CHUNK ? len - done : SW_CHUNK;
		ssize_t r;

		sw_pcap_tcp_ahead(sock, buf + done, n);
		r = sw_raw_send(fd, buf + done, n, flags);
		sw_pcap_tcp_sent(sock, r, errno);
		if (r < 0)
			return done > 0 ? (ssize_t)done : -1;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	} while (done < len);
	return (ssize_t)done;
}

ssize_t sw_pcap_tcp_write(struct sw_sock *sock, int fd, const void *buf, size_t len, int flags)
{
	if (!sw_pcap_tcp_captured(sock) || atomic_load(&sock->peer_gone))
		return sw_raw_send(fd, buf, len, flags);
	return sw_send_linear(sock, fd, buf, len, flags);
}

ssize_t sw_pcap_tcp_send(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags)
{
	size_t total = 0, off = 0;
	uint8_t *buf;
	ssize_t n;

	if (!sw_pcap_tcp_captured(sock) || atomic_load(&sock->peer_gone))
		return REAL(sendmsg)(fd, msg, flags | MSG_NOSIGNAL);
	if (msg->msg_iovlen == 1)
		return sw_send_linear(sock, fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len,
				      flags);
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	buf = malloc(total ? total : 1);
	if (buf == NULL)
		return REAL(sendmsg)(fd, msg, flags | MSG_NOSIGNAL);
	for (size_t i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len)
			memcpy(buf + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		off += msg->msg_iov[i].iov_len;
	}
	n = sw_send_linear(sock, fd, buf, total, flags);
	{
		int saved = errno;

		free(buf);
		errno = saved;
	}
	return n;
}

void sw_pcap_tcp_received(struct sw_sock *sock, ssize_t n)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	struct sw_batch b = { 0 };
	int saved = errno;

	if (t == NULL || !__atomic_load_n(&t->active, __ATOMIC_RELAXED))
		return;
	if (n < 0) {
		if (errno == ECONNRESET)   /* the peer's RST is in the file */
			__atomic_store_n(&t->active, false, __ATOMIC_RELAXED);
		return;
	}
	sw_conn_lock(t);
	if (n > 0) {
		t->rcvd += (uint64_t)n;
		if (t->rcvd - t->acked >= SW_ACK_EVERY && sw_mine(t))
			sw_seg(&b, &t->flow, true, sw_my_seq(t), sw_my_ack(t), SW_TCP_ACK, NULL, 0);
	} else if (!t->fin_acked) {
		t->fin_acked = true;
		if (sw_mine(t))
			sw_seg(&b, &t->flow, true, sw_my_seq(t), sw_my_ack(t), SW_TCP_ACK, NULL, 0);
	}
	sw_conn_unlock(t);
	sw_batch_flush(&b);
	errno = saved;
}

static void sw_send_fin(struct sw_pcap_conn *t, uint8_t flag, struct sw_batch *b)
{
	sw_seg(b, &t->flow, true, sw_my_seq(t), sw_my_ack(t), flag | SW_TCP_ACK, NULL, 0);
	t->fin_sent = true;
}

void sw_pcap_tcp_shutdown(struct sw_sock *sock)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	struct sw_batch b = { 0 };
	int saved = errno;

	if (t == NULL)
		return;
	sw_conn_lock(t);
	if (t->active && !t->fin_sent && sw_mine(t))
		sw_send_fin(t, SW_TCP_FIN, &b);
	sw_conn_unlock(t);
	sw_batch_flush(&b);
	errno = saved;
}

static void sw_tcp_close(struct sw_sock *sock, int fd, bool at_exit);

void sw_pcap_tcp_close(struct sw_sock *sock, int fd)
{
	sw_tcp_close(sock, fd, false);
}

/* Our side's end of the connection in the file (under the lock): FIN, RST
 * or the last ACK, from what the kernel says of the socket. */
static void sw_record_close(struct sw_sock *sock, struct sw_pcap_conn *t, int unread,
			    short revents, struct sw_batch *b)
{
	if (revents & POLLERR) {
		/* Reset by the peer, which recorded its RST: nothing more. */
	} else if (t->fin_sent) {
		/* Half-closed earlier: the peer's FIN that arrived since is
		 * acknowledged by our kernel, read or not. */
		if (!t->fin_acked && (revents & POLLRDHUP) && unread == 0) {
			t->fin_acked = true;
			sw_seg(b, &t->flow, true, sw_my_seq(t), sw_my_ack(t), SW_TCP_ACK, NULL, 0);
		}
	} else if (unread > 0) {
		/* Linux resets a connection closed with unread data. */
		sw_seg(b, &t->flow, true, sw_my_seq(t), sw_my_ack(t), SW_TCP_RST | SW_TCP_ACK,
		       NULL, 0);
		t->fin_sent = true;
	} else {
		/* A FIN of the peer's that nobody read (the process exits
		 * without reading) was acknowledged by our kernel on arrival. */
		if (!t->fin_acked && (revents & POLLRDHUP))
			t->fin_acked = true;
		sw_send_fin(t, SW_TCP_FIN, b);
		/* The peer closed first and is gone: its kernel acknowledges our
		 * FIN (it would otherwise read it and record that). */
		if (t->fin_acked && (revents & POLLHUP) && !atomic_load(&sock->shut_wr))
			sw_seg(b, &t->flow, false, t->flow.isn_peer + 1 + (uint32_t)t->rcvd + 1,
			       sw_my_seq(t), SW_TCP_ACK, NULL, 0);
	}
}

/* Is this process the last one with the connection?  Leaves it either way. */
static bool sw_leave(struct sw_pcap_conn *t, bool *mine)
{
	pid_t self = REAL(getpid)();
	bool last;

	sw_conn_lock(t);
	*mine = sw_conn_has(t, self);
	last = *mine && !sw_conn_others_hold(t, self);
	if (*mine && !last)
		sw_conn_remove(t, self);
	sw_conn_unlock(t);
	return last;
}

static void sw_tcp_close(struct sw_sock *sock, int fd, bool at_exit)
{
	struct sw_pcap_conn *t = sw_conn_of(sock);
	struct sw_batch b = { 0 };
	int saved = errno, unread = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	bool mine;

	if (t == NULL || (!at_exit && atomic_load(&sock->refs) != 1))
		return;
	atomic_store_explicit(&sock->pcap.conn, NULL, memory_order_release);
	if (!sw_leave(t, &mine))
		goto out;            /* another process still has it: no FIN yet */
	if (sw_is_restricted() || REAL(ioctl)(fd, FIONREAD, &unread) != 0)
		unread = 0;             /* under seccomp, no ioctl: assume read */
	(void)poll(&p, 1, 0);
	sw_conn_lock(t);
	if (t->active)
		sw_record_close(sock, t, unread, p.revents, &b);
	t->active = false;
	sw_conn_remove(t, REAL(getpid)());
	sw_conn_unlock(t);
	sw_batch_flush(&b);
	sw_conn_release(t);
out:
	errno = saved;
}

void sw_pcap_close_fd(int fd)
{
	struct sw_sock *sock = sw_fd_get(fd);

	if (sock != NULL && sock->type == SOCK_STREAM)
		sw_pcap_tcp_close(sock, fd);
}

/* sw_own_pid is the pid this memory belongs to: a vfork() child shares
 * it, and has another pid. */
static void sw_own_pid_reset(void)
{
	__atomic_store_n(&sw_own_pid, REAL(getpid)(), __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void sw_own_pid_init(void)
{
	sw_own_pid_reset();
	pthread_atfork(NULL, NULL, sw_own_pid_reset);
}

bool sw_pcap_is_own_process(void)
{
	return REAL(getpid)() == __atomic_load_n(&sw_own_pid, __ATOMIC_RELAXED);
}

/* A process that exits without closing its connections (most do): the
 * kernel closes them, and so the capture shows their FIN (or RST). */
__attribute__((destructor)) static void sw_pcap_at_exit(void)
{
	if (sw_pcap_on && sw_pcap_is_own_process())
		sw_pcap_tcp_exit();
}

void sw_pcap_tcp_exit(void)
{
	for (size_t fd = 0; fd < sw_fdtable_len; fd++) {
		struct sw_sock *sock = sw_fd_get((int)fd);

		if (sock != NULL && sock->type == SOCK_STREAM)
			sw_tcp_close(sock, (int)fd, true);
	}
}
