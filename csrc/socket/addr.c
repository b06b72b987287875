#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* fd00::5357:5f00, the fake hosts' IPv6 prefix; the last byte is the host. */
static const unsigned char sw_v6_prefix[15] = {
	0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, 0x57, 0x5f
};

static enum sw_addr_kind sw_classify_v4(uint32_t a, unsigned *iface)
{
	uint32_t net = sw_config()->ipv4_net;

	if (a == INADDR_ANY)
		return SW_ADDR_ANY;
	if (a == INADDR_BROADCAST || a == (net | 0x00ffffffu))
		return SW_ADDR_BROADCAST;
	if ((a & 0xffffff00u) == net && (a & 0xff) >= 1 && (a & 0xff) <= SW_MAX_IFACE) {
		*iface = a & 0xff;
		return SW_ADDR_HOST;
	}
	if ((a >> 24) == 127)
		return SW_ADDR_LOOPBACK_OTHER;
	return SW_ADDR_OUTSIDE;
}

static enum sw_addr_kind sw_classify_v6(const struct in6_addr *a, unsigned *iface, bool *v4)
{
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		uint32_t v;

		memcpy(&v, &a->s6_addr[12], 4);
		*v4 = true;
		return sw_classify_v4(ntohl(v), iface);
	}
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return SW_ADDR_ANY;
	if (memcmp(a->s6_addr, sw_v6_prefix, 15) == 0 && a->s6_addr[15] >= 1 && a->s6_addr[15] <= SW_MAX_IFACE) {
		*iface = a->s6_addr[15];
		return SW_ADDR_HOST;
	}
	if (IN6_IS_ADDR_LOOPBACK(a))
		return SW_ADDR_LOOPBACK_OTHER;
	return SW_ADDR_OUTSIDE;
}

enum sw_addr_kind sw_addr_classify(const struct sockaddr *sa, unsigned *iface, bool *v4)
{
	*v4 = sa->sa_family == AF_INET;
	if (sa->sa_family == AF_INET)
		return sw_classify_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr),
				      iface);
	return sw_classify_v6(&((const struct sockaddr_in6 *)sa)->sin6_addr, iface, v4);
}

unsigned sw_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

char sw_type_letter(bool v4, int type)
{
	if (v4)
		return type == SOCK_STREAM ? 'T' : 'U';
	return type == SOCK_STREAM ? 'X' : 'Y';
}

bool sw_endpoint_path(const struct sw_endpoint *ep, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%c%02X%04X", sw_config()->dir, ep->letter,
			 ep->iface, ep->port);

	return n > 0 && (size_t)n < size;
}

static int sw_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void sw_sun_path(const struct sockaddr_un *sun, socklen_t len, char *out, size_t size)
{
	size_t off = offsetof(struct sockaddr_un, sun_path), n;
	const char *name = sun->sun_path;

	out[0] = '\0';
	if (len <= off)
		return;
	n = len - off;
	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (name[0] == '\0') {          /* abstract: skip the NUL, length-delimited */
		name++;
		n--;
	}
	if (n >= size)
		n = size - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

bool sw_path_endpoint(const char *path, struct sw_endpoint *ep)
{
	const char *dir = sw_config()->dir;
	size_t dir_len = strlen(dir);
	unsigned value = 0;
	const char *name;

	if (strncmp(path, dir, dir_len) != 0 || path[dir_len] != '/')
		return false;
	name = path + dir_len + 1;
	if (strlen(name) != SW_NAME_LEN || !strchr("TUXY", name[0]) || name[0] == '\0')
		return false;
	for (int i = 1; i < SW_NAME_LEN; i++) {
		int d = sw_hex(name[i]);

		if (d < 0)
			return false;
		value = value * 16 + (unsigned)d;
	}
	ep->letter = name[0];
	ep->iface = value >> 16;
	ep->port = value & 0xffff;
	return ep->iface >= 1 && ep->iface <= SW_MAX_IFACE;
}

socklen_t sw_host_sockaddr(unsigned iface, int family, bool v4, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(sw_config()->ipv4_net | iface);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

	sin6->sin6_family = AF_INET6;
	if (v4) {
		uint32_t a = htonl(sw_config()->ipv4_net | iface);

		sin6->sin6_addr.s6_addr[10] = 0xff;
		sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], &a, 4);
	} else {
		memcpy(sin6->sin6_addr.s6_addr, sw_v6_prefix, 15);
		sin6->sin6_addr.s6_addr[15] = (unsigned char)iface;
	}
	return sizeof(*sin6);
}

socklen_t sw_endpoint_sockaddr(const struct sw_endpoint *ep, int family,
			       struct sockaddr_storage *out)
{
	bool v4 = ep->letter == 'T' || ep->letter == 'U';
	socklen_t len = sw_host_sockaddr(ep->iface, family, v4, out);

	if (family == AF_INET)
		((struct sockaddr_in *)out)->sin_port = htons((uint16_t)ep->port);
	else
		((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)ep->port);
	return len;
}

void sw_copy_out(const struct sockaddr_storage *addr, socklen_t addr_len,
		 struct sockaddr *out, socklen_t *out_len)
{
	if (out == NULL || out_len == NULL)
		return;
	memcpy(out, addr, *out_len < addr_len ? *out_len : addr_len);
	*out_len = addr_len;
}
