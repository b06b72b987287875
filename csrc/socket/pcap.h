/*
 * Packet capture (SOCKET_WRAPPER_PCAP_FILE): the hooks the call paths use.
 *
 * Every hook is guarded by sw_pcap_on, a plain load: with capture off a
 * call path pays one predictable branch.  Hooks preserve errno and never
 * fail the call they observe: a capture that cannot be used is logged
 * once and switched off (pcap_file.c); one that runs out of space drops
 * records until appends work again (pcap_loss.c).
 */
#ifndef SW_PCAP_H
#define SW_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "pcap_state.h"

struct sw_sock;

extern bool sw_pcap_on;

/* Reads SOCKET_WRAPPER_PCAP_FILE (from the shim's init). */
void sw_pcap_init(void);

/* --- pcap_file.c: the file and its records --- */

/* Appends whole records (each with its 16-byte header) in one write(). */
void sw_pcap_write(const void *records, size_t len);
/* The same from pieces; `stamp` lists the record headers to timestamp. */
struct iovec;
void sw_pcap_writev(struct iovec *iov, int cnt, uint8_t *const *stamp, int nstamp);

/* --- rlimit.c: the file size limit while capturing --- */

/* Capture starts: an inherited soft RLIMIT_FSIZE is kept by the shim. */
void sw_fsize_at_start(void);
/* May `len` more bytes be appended to fd without passing the kernel's
 * hard RLIMIT_FSIZE? */
bool sw_fsize_allows(int fd, size_t len);

/* --- pcap_packet.c: IP/TCP/UDP/ICMP packets --- */

#define SW_TCP_FIN 0x01
#define SW_TCP_SYN 0x02
#define SW_TCP_RST 0x04
#define SW_TCP_PSH 0x08
#define SW_TCP_ACK 0x10

#define SW_PCAP_REC_HDR 16
#define SW_PCAP_MAX_HDRS (SW_PCAP_REC_HDR + 40 + 60)  /* record + IPv6 + TCP/opts */
#define SW_TCP_WSCALE 5
#define SW_TCP_WINDOW (1u << 20)   /* advertised: 1 MiB (field 32768, scale 5) */

struct sw_tcp_seg {
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *data;
	size_t len;
};

/* One TCP record from `from` to `to` at out (room for SW_PCAP_MAX_HDRS +
 * len); returns its size. */
size_t sw_pkt_tcp(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		  const struct sw_tcp_seg *seg);
/* The same without the payload: the record, IP and TCP headers (the
 * checksum covers seg->data); returns their size. */
size_t sw_pkt_tcp_hdr(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		      const struct sw_tcp_seg *seg);
/* One UDP record. */
size_t sw_pkt_udp(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		  const uint8_t *data, size_t len);
/* An ICMP / ICMPv6 port unreachable from `to` (the host that refused)
 * back to `from`, quoting the UDP datagram from -> to. */
size_t sw_pkt_port_unreachable(uint8_t *out, const struct sw_pcap_ep *from,
			       const struct sw_pcap_ep *to, const uint8_t *data, size_t len);
/* Payload bytes per segment for this flow's family (MTU minus headers). */
size_t sw_pkt_mss(const struct sw_pcap_ep *ep);
/* Fills the timestamps of every record in a batch. */
void sw_pkt_stamp(uint8_t *records, size_t len);

/* Canonical capture endpoint of a fake address: v4-mapped becomes IPv4,
 * the wildcard becomes the default host. */
void sw_pcap_endpoint(const struct sockaddr *sa, struct sw_pcap_ep *ep);

/* --- pcap_tcp.c: TCP conversations --- */

/* connect(): before the AF_UNIX connect when a listener is there
 * (`listener`), after it when nothing listens (SYN, RST). */
void sw_pcap_tcp_connect(struct sw_sock *sock, int fd, const struct sockaddr *addr,
			 bool listener);
void sw_pcap_tcp_connect_failed(struct sw_sock *sock, bool listener);
void sw_pcap_tcp_accepted(struct sw_sock *sock, int fd);
/* A connected socket this process did not make (exec, SCM_RIGHTS): joins
 * the capture of its connection if another process records it. */
void sw_pcap_tcp_adopted(struct sw_sock *sock, int fd);
/* The socket is being sent to another process with SCM_RIGHTS (delta 1;
 * -1: the send failed): until it is received, closing our copy does not
 * end the connection. */
void sw_pcap_tcp_passed(struct sw_sock *sock, int delta);
/* Is this connection recorded? */
bool sw_pcap_tcp_captured(struct sw_sock *sock);

/* A stream send: records what is not yet recorded, then sends it, in
 * chunks; returns what sendmsg(2) returned. */
ssize_t sw_pcap_tcp_send(struct sw_sock *sock, int fd, const struct msghdr *msg, int flags);
ssize_t sw_pcap_tcp_write(struct sw_sock *sock, int fd, const void *buf, size_t len, int flags);
/* Recording ahead and accounting, for sendfile/splice. */
void sw_pcap_tcp_ahead(struct sw_sock *sock, const uint8_t *data, size_t len);
void sw_pcap_tcp_sent(struct sw_sock *sock, ssize_t n, int err);
/* After a read of n bytes (0: end of stream; <0: nothing). */
void sw_pcap_tcp_received(struct sw_sock *sock, ssize_t n);
/* shutdown(SHUT_WR or SHUT_RDWR) done. */
void sw_pcap_tcp_shutdown(struct sw_sock *sock);
/* The last descriptor of fd's socket in this process is being closed. */
void sw_pcap_tcp_close(struct sw_sock *sock, int fd);
/* close(fd) is about to happen (any descriptor). */
void sw_pcap_close_fd(int fd);
/* The process ends (exit, _exit): its connections end with it. */
void sw_pcap_tcp_exit(void);
/* Not a vfork()/posix_spawn() child running in our memory. */
bool sw_pcap_is_own_process(void);

/* --- pcap_conns.c: connection state shared between processes --- */

/* New state for the connection of `fd` (shared when possible), held by
 * this process; NULL without memory. */
struct sw_pcap_conn *sw_conn_new(int fd);
/* The shared state of `fd`'s connection, made by another process; NULL if
 * there is none. */
struct sw_pcap_conn *sw_conn_find(int fd);
/* The last holder is gone: the state can be used again. */
void sw_conn_release(struct sw_pcap_conn *c);
void sw_conn_lock(struct sw_pcap_conn *c);
void sw_conn_unlock(struct sw_pcap_conn *c);
/* Holders (under the lock). */
bool sw_conn_has(const struct sw_pcap_conn *c, pid_t pid);
void sw_conn_add(struct sw_pcap_conn *c, pid_t pid);
void sw_conn_remove(struct sw_pcap_conn *c, pid_t pid);
/* Does a process other than `self` still have the socket open? */
bool sw_conn_others_hold(struct sw_pcap_conn *c, pid_t self);
/* fork(): the parent adds its child to every connection it holds, before
 * the parent can close its copy; the child adds itself. */
void sw_conns_forked(pid_t child);
void sw_conns_fork_child(void);

/* --- pcap_udp.c --- */

/* A datagram this socket sent (n >= 0 bytes) to msg's address or its peer. */
void sw_pcap_udp_sent(struct sw_sock *sock, const struct msghdr *msg, ssize_t n);
/* Set by the send path when a datagram found nobody listening. */
void sw_pcap_udp_unreachable(void);

static inline void sw_pcap_lost(void)
{
	if (__builtin_expect(sw_pcap_on, 0))
		sw_pcap_udp_unreachable();
}

#endif
