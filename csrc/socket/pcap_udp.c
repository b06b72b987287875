/*
 * UDP in the capture: each datagram once, recorded by its sender after the
 * send (its source port may only be chosen by the send); one that found
 * nobody listening is followed by the ICMP / ICMPv6 port unreachable the
 * destination host answers with.  A broadcast is one datagram to the
 * broadcast address, however many hosts receive it, and draws no ICMP.
 */
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "pcap.h"

static __thread bool sw_udp_lost;

void sw_pcap_udp_unreachable(void)
{
	sw_udp_lost = true;
}

void sw_pcap_udp_sent(struct sw_sock *sock, const struct msghdr *msg, ssize_t n)
{
	const struct sockaddr *to = (msg->msg_name != NULL && msg->msg_namelen > 0)
		? msg->msg_name : (const struct sockaddr *)&sock->peer;
	bool lost = sw_udp_lost, v4;
	struct sw_pcap_ep from, dst;
	unsigned iface;
	size_t len = (size_t)n, off = 0, size;
	uint8_t *buf, *data;
	int saved = errno;

	sw_udp_lost = false;
	if (n < 0 || (to->sa_family != AF_INET && to->sa_family != AF_INET6))
		return;
	sw_pcap_endpoint((const struct sockaddr *)&sock->local, &from);
	sw_pcap_endpoint(to, &dst);
	if (from.v6 != dst.v6 && from.v6) {
		/* An IPv6 socket sending to a v4-mapped address sends IPv4. */
		struct sockaddr_storage h;

		sw_host_sockaddr(from.addr[15] ? from.addr[15] : sw_default_iface(), AF_INET,
				 true, &h);
		memset(from.addr, 0, sizeof(from.addr));
		memcpy(from.addr, &((struct sockaddr_in *)&h)->sin_addr, 4);
		from.v6 = false;
	}
	size = 2 * (SW_PCAP_MAX_HDRS + len) + 64;
	buf = malloc(size + len);
	if (buf == NULL)
		goto out;
	data = buf + size;
	for (size_t i = 0; i < msg->msg_iovlen && off < len; i++) {
		size_t c = msg->msg_iov[i].iov_len < len - off ? msg->msg_iov[i].iov_len : len - off;

		memcpy(data + off, msg->msg_iov[i].iov_base, c);
		off += c;
	}
	off = sw_pkt_udp(buf, &from, &dst, data, len);
	if (lost && sw_addr_classify(to, &iface, &v4) != SW_ADDR_BROADCAST)
		off += sw_pkt_port_unreachable(buf + off, &from, &dst, data, len);
	sw_pcap_write(buf, off);
	free(buf);
out:
	errno = saved;
}
