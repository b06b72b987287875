#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <string.h>

#include "log.h"
#include "sock.h"
#include "sockopt_store.h"

enum sw_opt_kind {
	SW_BOOL,         /* any int; reads back 0 or 1 */
	SW_RANGE,        /* min..max, else EINVAL */
	SW_HOPS,         /* -1 means the default; else min..max */
	SW_TOS,          /* low 8 bits; stream sockets keep their ECN bits */
	SW_MSS,          /* 0, or min..max */
	SW_TCLASS,       /* -1 means 0; else 0..255; stream sockets keep ECN bits */
};

#define SW_V4 1u          /* AF_INET sockets (and AF_INET6, for SOL_IP) */
#define SW_V6 2u          /* AF_INET6 sockets only */
#define SW_STREAM 4u
#define SW_DGRAM 8u
#define SW_BEFORE_BIND 16u
#define SW_SET_DGRAM_ONLY 32u   /* setting it on a stream socket is EINVAL */

struct sw_opt_def {
	int level, name;
	enum sw_opt_kind kind;
	int def, min, max;
	unsigned where;
};

/* The kernel's defaults on a Debian system (sysctl defaults). */
static const struct sw_opt_def sw_defs[] = {
	{ SOL_IP, IP_TOS, SW_TOS, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_TTL, SW_HOPS, 64, 1, 255, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_PKTINFO, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_MTU_DISCOVER, SW_RANGE, 1, 0, 5, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_RECVERR, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_RECVTTL, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_RECVTOS, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_FREEBIND, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_BIND_ADDRESS_NO_PORT, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_MULTICAST_TTL, SW_HOPS, 1, 0, 255, SW_V4 | SW_STREAM | SW_DGRAM | SW_SET_DGRAM_ONLY },
	{ SOL_IP, IP_MULTICAST_LOOP, SW_BOOL, 1, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IP, IP_RECVORIGDSTADDR, SW_BOOL, 0, 0, 0, SW_V4 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_UNICAST_HOPS, SW_HOPS, 64, 0, 255, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_MULTICAST_HOPS, SW_HOPS, 1, 0, 255, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_MULTICAST_LOOP, SW_RANGE, 1, 0, 1, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_V6ONLY, SW_BOOL, 0, 0, 0, SW_V6 | SW_STREAM | SW_DGRAM | SW_BEFORE_BIND },
	{ SOL_IPV6, IPV6_RECVPKTINFO, SW_BOOL, 0, 0, 0, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_RECVHOPLIMIT, SW_BOOL, 0, 0, 0, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_RECVTCLASS, SW_BOOL, 0, 0, 0, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_TCLASS, SW_TCLASS, 0, 0, 255, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_RECVERR, SW_BOOL, 0, 0, 0, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_IPV6, IPV6_MTU_DISCOVER, SW_RANGE, 1, 0, 5, SW_V6 | SW_STREAM | SW_DGRAM },
	{ SOL_TCP, TCP_NODELAY, SW_BOOL, 0, 0, 0, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_CORK, SW_BOOL, 0, 0, 0, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_KEEPIDLE, SW_RANGE, 7200, 1, 32767, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_KEEPINTVL, SW_RANGE, 75, 1, 32767, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_KEEPCNT, SW_RANGE, 9, 1, 127, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_SYNCNT, SW_RANGE, 6, 1, 127, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_USER_TIMEOUT, SW_RANGE, 0, 0, 0x7fffffff, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_TCP, TCP_MAXSEG, SW_MSS, 0, 88, 32767, SW_V4 | SW_V6 | SW_STREAM },
	{ SOL_UDP, UDP_CORK, SW_BOOL, 0, 0, 0, SW_V4 | SW_V6 | SW_DGRAM },
};

_Static_assert(sizeof(sw_defs) / sizeof(sw_defs[0]) <= SW_OPT_KNOWN, "raise SW_OPT_KNOWN");
#define SW_NDEFS (sizeof(sw_defs) / sizeof(sw_defs[0]))

void sw_opts_init(struct sw_opts *opts, int family, int type)
{
	(void)family;
	(void)type;
	for (size_t i = 0; i < SW_NDEFS; i++)
		opts->value[i] = sw_defs[i].def;
	strcpy(opts->congestion, "cubic");
}

static bool sw_level_ours(int level)
{
	return level == SOL_IP || level == SOL_IPV6 || level == SOL_TCP || level == SOL_UDP;
}

/* Is `level` valid for this socket at all?  Otherwise EOPNOTSUPP, as the
 * kernel answers TCP options on a UDP socket or IPv6 ones on IPv4. */
static bool sw_level_applies(const struct sw_sock *sock, int level)
{
	switch (level) {
	case SOL_IPV6:
		return sock->family == AF_INET6;
	case SOL_TCP:
		return sock->type == SOCK_STREAM;
	case SOL_UDP:
		return sock->type == SOCK_DGRAM;
	default:
		return true;
	}
}

/* What the kernel answers for a level the socket does not have: IPv4
 * sockets say EOPNOTSUPP, IPv6 ones ENOPROTOOPT. */
static int sw_level_errno(const struct sw_sock *sock)
{
	return sock->family == AF_INET ? EOPNOTSUPP : ENOPROTOOPT;
}

static const struct sw_opt_def *sw_find(int level, int name, size_t *index)
{
	for (size_t i = 0; i < SW_NDEFS; i++) {
		if (sw_defs[i].level == level && sw_defs[i].name == name) {
			*index = i;
			return &sw_defs[i];
		}
	}
	return NULL;
}

static int sw_fail(int *ret, int err)
{
	errno = err;
	*ret = -1;
	return 1;
}

static int sw_ok(int *ret)
{
	*ret = 0;
	return 1;
}

static int sw_set_known(struct sw_sock *sock, const struct sw_opt_def *def, size_t i,
			int v, int *ret)
{
	if ((def->where & SW_SET_DGRAM_ONLY) && sock->type == SOCK_STREAM)
		return sw_fail(ret, EINVAL);
	switch (def->kind) {
	case SW_MSS:
		if (v != 0 && (v < def->min || v > def->max))
			return sw_fail(ret, EINVAL);
		break;
	case SW_BOOL:
		v = v != 0;
		break;
	case SW_RANGE:
		if (v < def->min || v > def->max)
			return sw_fail(ret, EINVAL);
		break;
	case SW_HOPS:
		if (v == -1)
			v = def->def;
		else if (v < def->min || v > def->max)
			return sw_fail(ret, EINVAL);
		break;
	case SW_TCLASS:
		if (v == -1)
			v = 0;
		else if (v < 0 || v > 255)
			return sw_fail(ret, EINVAL);
		if (sock->type == SOCK_STREAM)
			v = (v & ~3) | (sock->opts.value[i] & 3);
		break;
	case SW_TOS:
		v &= 0xff;
		if (sock->type == SOCK_STREAM)
			v = (v & ~3) | (sock->opts.value[i] & 3);
		break;
	}
	if ((def->where & SW_BEFORE_BIND) && sock->bound)
		return sw_fail(ret, EINVAL);
	sock->opts.value[i] = v;
	if (def->level == SOL_IP && def->name == IP_PKTINFO)
		sock->opts.pktinfo = v;
	if (def->level == SOL_IPV6 && def->name == IPV6_RECVPKTINFO)
		sock->opts.pktinfo6 = v;
	if (def->level == SOL_IPV6 && def->name == IPV6_V6ONLY)
		sock->opts.v6only = v;
	return sw_ok(ret);
}

static struct sw_opt_extra *sw_extra(struct sw_sock *sock, int level, int name, bool create)
{
	struct sw_opt_extra *free_slot = NULL;

	for (int i = 0; i < SW_OPT_EXTRA; i++) {
		struct sw_opt_extra *e = &sock->opts.extra[i];

		if (e->len != 0 && e->level == level && e->name == name)
			return e;
		if (e->len == 0 && free_slot == NULL)
			free_slot = e;
	}
	if (create && free_slot) {
		free_slot->level = level;
		free_slot->name = name;
	}
	return create ? free_slot : NULL;
}

static int sw_set_socket_level(struct sw_sock *sock, int name, int v, int *ret)
{
	switch (name) {
	case SO_BROADCAST:
		sock->opts.broadcast = v != 0;
		return sw_ok(ret);
	case SO_REUSEPORT:
		sock->opts.reuseport = v != 0;
		return sw_ok(ret);
	default:
		return 0;
	}
}

int sw_opt_set(struct sw_sock *sock, int level, int name, const void *val,
	       socklen_t len, int *ret)
{
	const struct sw_opt_def *def;
	size_t i;
	int v = 0;

	if (level == SOL_SOCKET) {
		if (name != SO_BROADCAST && name != SO_REUSEPORT)
			return 0;
		if (len < (socklen_t)sizeof(int))
			return sw_fail(ret, EINVAL);
		if (val == NULL)
			return sw_fail(ret, EFAULT);
		memcpy(&v, val, sizeof(v));
		return sw_set_socket_level(sock, name, v, ret);
	}
	if (!sw_level_ours(level))
		return 0;
	if (!sw_level_applies(sock, level))
		return sw_fail(ret, sw_level_errno(sock));
	if (level == SOL_TCP && name == TCP_CONGESTION) {
		if (val == NULL)
			return sw_fail(ret, EFAULT);
		size_t n = len < sizeof(sock->opts.congestion) - 1 ? len : sizeof(sock->opts.congestion) - 1;
		char name_buf[sizeof(sock->opts.congestion)] = { 0 };

		memcpy(name_buf, val, n);
		if (strcmp(name_buf, "cubic") != 0 && strcmp(name_buf, "reno") != 0)
			return sw_fail(ret, ENOENT);
		strcpy(sock->opts.congestion, name_buf);
		return sw_ok(ret);
	}
	def = sw_find(level, name, &i);
	if (def == NULL) {
		struct sw_opt_extra *e = sw_extra(sock, level, name, true);

		if (val == NULL && len > 0)
			return sw_fail(ret, EFAULT);
		if (e == NULL || len > SW_OPT_EXTRA_LEN)
			return sw_fail(ret, ENOPROTOOPT);
		memcpy(e->data, val, len);
		e->len = len ? len : 1;
		CW_LOG(CW_DEBUG, "setsockopt(level %d, option %d): not emulated, value kept",
		       level, name);
		return sw_ok(ret);
	}
	if (len < (socklen_t)sizeof(int))
		return sw_fail(ret, EINVAL);
	if (val == NULL)
		return sw_fail(ret, EFAULT);
	memcpy(&v, val, sizeof(v));
	return sw_set_known(sock, def, i, v, ret);
}

static int sw_put_int(int level, int v, void *val, socklen_t *len, int *ret)
{
	if (len == NULL || val == NULL)
		return sw_fail(ret, EFAULT);
	if ((int)*len < 0)
		return sw_fail(ret, EINVAL);
	/* The IP level answers a short buffer with one byte (as the kernel). */
	if (level == SOL_IP && *len < sizeof(int) && *len > 0 && v >= 0 && v < 255) {
		*(unsigned char *)val = (unsigned char)v;
		*len = 1;
		return sw_ok(ret);
	}
	if (*len > sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, *len);
	return sw_ok(ret);
}

static int sw_get_value(struct sw_sock *sock, const struct sw_opt_def *def, size_t i)
{
	int v = sock->opts.value[i];

	if (def->level == SOL_TCP && def->name == TCP_MAXSEG) {
		if (sock->connected && v == 0)
			return 65483;
		return v ? v : 536;
	}
	return v;
}

int sw_opt_get(struct sw_sock *sock, int level, int name, void *val,
	       socklen_t *len, int *ret)
{
	const struct sw_opt_def *def;
	size_t i;

	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_DOMAIN:
			return sw_put_int(level, sock->family, val, len, ret);
		case SO_TYPE:
			return sw_put_int(level, sock->type, val, len, ret);
		case SO_PROTOCOL:
			return sw_put_int(level, sock->protocol, val, len, ret);
		case SO_BROADCAST:
			return sw_put_int(level, sock->opts.broadcast, val, len, ret);
		case SO_REUSEPORT:
			return sw_put_int(level, sock->opts.reuseport, val, len, ret);
		case SO_ERROR: {
			int err = atomic_exchange(&sock->pending_error, 0);

			return err ? sw_put_int(level, err, val, len, ret) : 0;
		}
		default:
			return 0;
		}
	}
	if (!sw_level_ours(level))
		return 0;
	if (!sw_level_applies(sock, level))
		return sw_fail(ret, sw_level_errno(sock));
	if (level == SOL_TCP && name == TCP_CONGESTION) {
		size_t n = strlen(sock->opts.congestion);

		if (len == NULL || val == NULL)
			return sw_fail(ret, EFAULT);
		if (*len > 16)
			*len = 16;
		memset(val, 0, *len);
		memcpy(val, sock->opts.congestion, n < *len ? n : *len);
		return sw_ok(ret);
	}
	def = sw_find(level, name, &i);
	if (def == NULL) {
		struct sw_opt_extra *e = sw_extra(sock, level, name, false);

		if (e == NULL) {
			CW_LOG(CW_WARN, "getsockopt(level %d, option %d) is not emulated",
			       level, name);
			return sw_fail(ret, ENOPROTOOPT);
		}
		if (len == NULL || val == NULL)
			return sw_fail(ret, EFAULT);
		if (*len > e->len)
			*len = e->len;
		memcpy(val, e->data, *len);
		return sw_ok(ret);
	}
	return sw_put_int(level, sw_get_value(sock, def, i), val, len, ret);
}
