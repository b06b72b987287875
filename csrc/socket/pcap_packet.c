/*
 * Packets as a real stack would put them on the wire: IPv4 (header
 * checksum) or IPv6 (payload length) headers, TCP and UDP with their
 * checksums over the pseudo-header, ICMP / ICMPv6 port unreachable.
 * Each packet is preceded by its 16-byte pcap record header; timestamps
 * are filled in just before the batch is written (sw_pkt_stamp).
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "calls.h"
#include "pcap.h"

#define SW_TTL 64

/* One's complement sum, 8 bytes a step (the end-around carries are
 * added back at the end by sw_fold). */
static uint64_t sw_sum(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t carries = 0;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		sum += w;
		carries += sum < w;
		p += 8;
		len -= 8;
	}
	sum = (sum & 0xffffffffu) + (sum >> 32) + carries;
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };

		uint16_t w;

		memcpy(&w, last, 2);
		sum += w;
	}
	return sum;
}

static uint16_t sw_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void sw_put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static void sw_put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static size_t sw_alen(const struct sw_pcap_ep *ep)
{
	return ep->v6 ? 16 : 4;
}

/* The IP header for a payload of len bytes; returns its size. */
static size_t sw_ip_header(uint8_t *ip, const struct sw_pcap_ep *from,
			   const struct sw_pcap_ep *to, uint8_t proto, size_t len)
{
	if (from->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		sw_put16(ip + 4, (uint16_t)len);
		ip[6] = proto;
		ip[7] = SW_TTL;
		memcpy(ip + 8, from->addr, 16);
		memcpy(ip + 24, to->addr, 16);
		return 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	sw_put16(ip + 2, (uint16_t)(20 + len));
	sw_put16(ip + 6, 0x4000);           /* DF, id 0 as Linux sends it */
	ip[8] = SW_TTL;
	ip[9] = proto;
	memcpy(ip + 12, from->addr, 4);
	memcpy(ip + 16, to->addr, 4);
	sw_put16(ip + 10, 0);
	{
		uint16_t c = sw_fold(sw_sum(0, ip, 20));

		memcpy(ip + 10, &c, 2);
	}
	return 20;
}

static uint64_t sw_pseudo(const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
			  uint8_t proto, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint64_t sum = 0;

	sum = sw_sum(sum, from->addr, sw_alen(from));
	sum = sw_sum(sum, to->addr, sw_alen(to));
	sw_put32(tail, (uint32_t)len);
	tail[7] = proto;
	return sw_sum(sum, tail, 8);
}

static size_t sw_record(uint8_t *out, size_t pkt_len)
{
	uint32_t l = (uint32_t)pkt_len;

	memset(out, 0, 8);
	memcpy(out + 8, &l, 4);
	memcpy(out + 12, &l, 4);
	return SW_PCAP_REC_HDR + pkt_len;
}

size_t sw_pkt_tcp(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		  const struct sw_tcp_seg *seg)
{
	size_t hdr = sw_pkt_tcp_hdr(out, from, to, seg);

	if (seg->len)
		memcpy(out + hdr, seg->data, seg->len);
	return hdr + seg->len;
}

size_t sw_pkt_tcp_hdr(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		      const struct sw_tcp_seg *seg)
{
	uint8_t *ip = out + SW_PCAP_REC_HDR;
	size_t optlen = (seg->flags & SW_TCP_SYN) ? 8 : 0;
	size_t tlen = 20 + optlen + seg->len;
	uint8_t *t = ip + sw_ip_header(ip, from, to, IPPROTO_TCP, tlen);
	uint16_t c;

	sw_put16(t, from->port);
	sw_put16(t + 2, to->port);
	sw_put32(t + 4, seg->seq);
	sw_put32(t + 8, (seg->flags & SW_TCP_ACK) ? seg->ack : 0);
	t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	t[13] = seg->flags;
	sw_put16(t + 14, (seg->flags & SW_TCP_SYN) ? 65535
			 : (seg->flags & SW_TCP_RST) ? 0 : SW_TCP_WINDOW >> SW_TCP_WSCALE);
	memset(t + 16, 0, 4);
	if (optlen) {
		size_t mss = sw_pkt_mss(from);

		t[20] = 2;                    /* MSS */
		t[21] = 4;
		sw_put16(t + 22, (uint16_t)(mss > 65535 ? 65535 : mss));
		t[24] = 1;                    /* NOP */
		t[25] = 3;                    /* window scale */
		t[26] = 3;
		t[27] = SW_TCP_WSCALE;
	}
	c = sw_fold(sw_sum(sw_sum(sw_pseudo(from, to, IPPROTO_TCP, tlen), t, 20 + optlen),
			   seg->data, seg->len));
	memcpy(t + 16, &c, 2);
	return sw_record(out, (size_t)(t - ip) + tlen) - seg->len;
}

size_t sw_pkt_udp(uint8_t *out, const struct sw_pcap_ep *from, const struct sw_pcap_ep *to,
		  const uint8_t *data, size_t len)
{
	uint8_t *ip = out + SW_PCAP_REC_HDR;
	size_t ulen = 8 + len;
	uint8_t *u = ip + sw_ip_header(ip, from, to, IPPROTO_UDP, ulen);
	uint16_t c;

	sw_put16(u, from->port);
	sw_put16(u + 2, to->port);
	sw_put16(u + 4, (uint16_t)ulen);
	memset(u + 6, 0, 2);
	memcpy(u + 8, data, len);
	c = sw_fold(sw_sum(sw_pseudo(from, to, IPPROTO_UDP, ulen), u, ulen));
	if (c == 0)
		c = 0xffff;
	memcpy(u + 6, &c, 2);
	return sw_record(out, (size_t)(u - ip) + ulen);
}

size_t sw_pkt_port_unreachable(uint8_t *out, const struct sw_pcap_ep *from,
			       const struct sw_pcap_ep *to, const uint8_t *data, size_t len)
{
	/* The quoted datagram as it was sent, built after the ICMP header. */
	uint8_t *ip = out + SW_PCAP_REC_HDR;
	size_t iphl = from->v6 ? 40 : 20;
	uint8_t *icmp = ip + iphl;
	size_t room = from->v6 ? 1280 - 40 - 8 : 576 - 20 - 8;   /* RFC 4443 / 1812 */
	size_t qlen = sw_pkt_udp(icmp + 8 - SW_PCAP_REC_HDR, from, to, data, len) -
		      SW_PCAP_REC_HDR;
	size_t ilen;
	uint16_t c;

	if (qlen > room)
		qlen = room;
	ilen = 8 + qlen;
	sw_ip_header(ip, to, from, from->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, ilen);
	icmp[0] = from->v6 ? 1 : 3;   /* destination unreachable */
	icmp[1] = from->v6 ? 4 : 3;   /* port unreachable */
	memset(icmp + 2, 0, 6);
	c = sw_fold(sw_sum(from->v6 ? sw_pseudo(to, from, IPPROTO_ICMPV6, ilen) : 0, icmp, ilen));
	memcpy(icmp + 2, &c, 2);
	return sw_record(out, iphl + ilen);
}

size_t sw_pkt_mss(const struct sw_pcap_ep *ep)
{
	return sw_config()->mtu - (ep->v6 ? 60 : 40);
}

void sw_pkt_stamp(uint8_t *records, size_t len)
{
	struct timespec ts;
	size_t off = 0;
	uint32_t sec, nsec;

	clock_gettime(CLOCK_REALTIME, &ts);
	sec = (uint32_t)ts.tv_sec;
	nsec = (uint32_t)ts.tv_nsec;
	while (off + SW_PCAP_REC_HDR <= len) {
		uint32_t incl;

		memcpy(records + off, &sec, 4);
		memcpy(records + off + 4, &nsec, 4);
		memcpy(&incl, records + off + 8, 4);
		off += SW_PCAP_REC_HDR + incl;
	}
}

void sw_pcap_endpoint(const struct sockaddr *sa, struct sw_pcap_ep *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		memcpy(ep->addr, &sin->sin_addr, 4);
		ep->port = ntohs(sin->sin_port);
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY)) {
			struct sockaddr_storage h;

			sw_host_sockaddr(sw_default_iface(), AF_INET, true, &h);
			memcpy(ep->addr, &((struct sockaddr_in *)&h)->sin_addr, 4);
		}
		return;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		ep->port = ntohs(sin6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(ep->addr, &sin6->sin6_addr.s6_addr[12], 4);
			return;
		}
		ep->v6 = true;
		memcpy(ep->addr, &sin6->sin6_addr, 16);
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr)) {
			struct sockaddr_storage h;

			sw_host_sockaddr(sw_default_iface(), AF_INET6, false, &h);
			memcpy(ep->addr, &((struct sockaddr_in6 *)&h)->sin6_addr, 16);
		}
	}
}
