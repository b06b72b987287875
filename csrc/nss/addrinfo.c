/*
 * getaddrinfo() answered from NSS_WRAPPER_HOSTS, following glibc's steps:
 *
 *  1. the checks of the arguments (EAI_NONAME, EAI_BADFLAGS, EAI_FAMILY),
 *     and AI_ADDRCONFIG (addresses of the interfaces, loopback aside);
 *  2. the socket types: glibc's table (tcp, udp, dccp, udplite, sctp,
 *     raw); a named service is looked up in the real services database
 *     (getservbyname_r) for each type that may carry it;
 *  3. the host: none (AI_PASSIVE: the any address, otherwise loopback,
 *     IPv6 first), a numeric address (inet_aton's forms, IPv6 with
 *     %scope), or a name looked up in the hosts file, whose first line
 *     gives the canonical name (AI_V4MAPPED maps IPv4 for AF_INET6);
 *  4. one result per address and socket type, sorted with the rules of
 *     RFC 3484 as glibc applies them (source addresses found by
 *     connecting a UDP socket, glibc's default label and precedence
 *     tables), the canonical name on the first result.
 *
 * A name missing from the file is asked of the module, if one is set; then
 * it is EAI_NONAME unless NSS_WRAPPER_HOSTS_FALLBACK=1, which hands the
 * whole call to the system.
 * The results are laid out as glibc lays out its own (one block per
 * result, the canonical name apart), so either freeaddrinfo frees them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

struct nw_typeproto {
	int socktype;
	int protocol;
	bool any_protocol;      /* raw: any protocol asked for is fine */
	bool no_service;        /* raw: a service makes no sense */
	bool by_default;        /* given when neither type nor protocol is asked */
	const char *name;
};

static const struct nw_typeproto nw_types[] = {
	{ SOCK_STREAM, IPPROTO_TCP, false, false, true, "tcp" },
	{ SOCK_DGRAM, IPPROTO_UDP, false, false, true, "udp" },
	{ SOCK_DCCP, IPPROTO_DCCP, false, false, false, "dccp" },
	{ SOCK_DGRAM, IPPROTO_UDPLITE, false, false, false, "udplite" },
	{ SOCK_STREAM, IPPROTO_SCTP, false, false, false, "sctp" },
	{ SOCK_SEQPACKET, IPPROTO_SCTP, false, false, false, "sctp" },
	{ SOCK_RAW, 0, true, true, true, "raw" },
};
#define NW_NTYPES (sizeof(nw_types) / sizeof(nw_types[0]))

/* Not an EAI_ code (those are negative): the name is not ours to answer. */
#define NW_NOT_HERE 1

struct nw_serv {
	int socktype, protocol;
	uint16_t port;          /* network order */
};

static bool nw_type_matches(const struct nw_typeproto *tp, const struct addrinfo *req)
{
	return (req->ai_socktype == 0 || req->ai_socktype == tp->socktype) &&
	       (req->ai_protocol == 0 || tp->any_protocol || req->ai_protocol == tp->protocol);
}

static int nw_serv_lookup(const char *service, const struct nw_typeproto *tp,
			  const struct addrinfo *req, struct nw_serv *out)
{
	struct servent se, *res = NULL;
	char buf[4096];

	if (getservbyname_r(service, tp->name, &se, buf, sizeof(buf), &res) != 0 || res == NULL)
		return EAI_SERVICE;
	out->socktype = tp->socktype;
	out->protocol = tp->any_protocol ? req->ai_protocol : tp->protocol;
	out->port = (uint16_t)se.s_port;
	return 0;
}

/* The (type, protocol, port) tuples to answer with; 0 or an EAI_ code. */
static int nw_services(const char *service, const struct addrinfo *req,
		       struct nw_serv *out, size_t *count)
{
	const struct nw_typeproto *tp = NULL;
	bool numeric = false;
	unsigned long num = 0;

	*count = 0;
	if (req->ai_socktype != 0 || req->ai_protocol != 0) {
		for (size_t i = 0; i < NW_NTYPES && tp == NULL; i++)
			if (nw_type_matches(&nw_types[i], req))
				tp = &nw_types[i];
		if (tp == NULL)
			return req->ai_socktype ? EAI_SOCKTYPE : EAI_SERVICE;
	}
	if (service != NULL) {
		char *end;

		/* glibc keeps the number in an int: one that turns negative
		 * ("-1", "4294967295") is looked up as a name instead. */
		num = strtoul(service, &end, 10);
		numeric = *end == '\0' && (int)num >= 0;
		if (tp != NULL && tp->no_service)
			return EAI_SERVICE;
		if (!numeric) {
			if (tp != NULL) {
				int rc = nw_serv_lookup(service, tp, req, &out[0]);

				if (rc == 0)
					*count = 1;
				return rc;
			}
			for (size_t i = 0; i < NW_NTYPES; i++) {
				if (nw_types[i].no_service || !nw_type_matches(&nw_types[i], req))
					continue;
				if (nw_serv_lookup(service, &nw_types[i], req, &out[*count]) == 0)
					(*count)++;
			}
			return *count ? 0 : EAI_SERVICE;
		}
	}
	if (tp != NULL) {
		out[0] = (struct nw_serv){ tp->socktype,
					   tp->any_protocol ? req->ai_protocol : tp->protocol,
					   htons((uint16_t)num) };
		*count = 1;
		return 0;
	}
	for (size_t i = 0; i < NW_NTYPES; i++)
		if (nw_types[i].by_default)
			out[(*count)++] = (struct nw_serv){ nw_types[i].socktype,
							    nw_types[i].protocol,
							    htons((uint16_t)num) };
	return 0;
}

/* inet_aton's forms (a, a.b, a.b.c, a.b.c.d; octal, hex), whole string. */
static bool nw_aton_exact(const char *s, struct in_addr *out)
{
	unsigned long parts[4];
	int n = 0;
	uint32_t v;

	for (;;) {
		char *end;

		if (!isdigit((unsigned char)*s))
			return false;
		errno = 0;
		parts[n] = strtoul(s, &end, 0);
		if (errno == ERANGE || parts[n] > 0xffffffffUL)
			return false;
		n++;
		s = end;
		if (*s == '\0')
			break;
		if (*s != '.' || n == 4)
			return false;
		s++;
	}
	switch (n) {
	case 1:
		v = (uint32_t)parts[0];
		break;
	case 2:
		if (parts[0] > 0xff || parts[1] > 0xffffff)
			return false;
		v = (uint32_t)(parts[0] << 24 | parts[1]);
		break;
	case 3:
		if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff)
			return false;
		v = (uint32_t)(parts[0] << 24 | parts[1] << 16 | parts[2]);
		break;
	default:
		for (int i = 0; i < 4; i++)
			if (parts[i] > 0xff)
				return false;
		v = (uint32_t)(parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]);
	}
	out->s_addr = htonl(v);
	return true;
}

struct nw_at {
	int family;
	unsigned char addr[16];
	uint32_t scope;
};

struct nw_ai_list {
	struct nw_at *v;
	size_t n, cap;
	char *canon;
};

static bool nw_at_add(struct nw_ai_list *l, int family, const void *addr, uint32_t scope)
{
	if (!nw_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		return false;
	l->v[l->n] = (struct nw_at){ .family = family, .scope = scope };
	memcpy(l->v[l->n].addr, addr, family == AF_INET ? 4 : 16);
	l->n++;
	return true;
}

static void nw_addrconfig(bool *v4, bool *v6)
{
	struct ifaddrs *ifa, *i;

	*v4 = *v6 = false;
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)i->ifa_addr;

			if (s->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
				*v4 = true;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)i->ifa_addr;

			if (!IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
				*v6 = true;
		}
	}
	freeifaddrs(ifa);
}

/* Appends the addresses of one lookup (mapped to IPv6 when `map`). */
static bool nw_take_answer(struct nw_ai_list *l, struct nw_host_answer *ans, bool map,
			   bool want_canon)
{
	unsigned char v6[16];

	if (want_canon && l->canon == NULL) {
		l->canon = ans->canon;
		ans->canon = NULL;
	}
	for (size_t i = 0; i < ans->count; i++) {
		const struct nw_addr *a = &ans->addrs[i];
		bool ok;

		if (map && a->family == AF_INET) {
			memset(v6, 0, 10);
			v6[10] = v6[11] = 0xff;
			memcpy(v6 + 12, a->addr, 4);
			ok = nw_at_add(l, AF_INET6, v6, 0);
		} else {
			ok = nw_at_add(l, a->family, a->addr, 0);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* One family from the module's gethostbyname2_r: 1 found, 0 not, or EAI_MEMORY. */
static int nw_module_family(const struct nw_module *m, const char *name, int af, bool map,
			    bool want_canon, struct nw_ai_list *l)
{
	char buf[16384];
	struct hostent he;
	unsigned char v6[16];
	int err = 0, herr = 0;

	if (m->gethostbyname2_r(name, af, &he, buf, sizeof(buf), &err, &herr) !=
	    NSS_STATUS_SUCCESS || he.h_addrtype != af)
		return 0;
	if (want_canon && l->canon == NULL && (l->canon = strdup(he.h_name)) == NULL)
		return EAI_MEMORY;
	for (char **a = he.h_addr_list; *a; a++) {
		bool ok;

		if (map) {
			memset(v6, 0, 10);
			v6[10] = v6[11] = 0xff;
			memcpy(v6 + 12, *a, 4);
			ok = nw_at_add(l, AF_INET6, v6, 0);
		} else {
			ok = nw_at_add(l, af, *a, 0);
		}
		if (!ok)
			return EAI_MEMORY;
	}
	return 1;
}

/*
 * A name the hosts file does not have, asked of the module (IPv6 then
 * IPv4, as glibc asks a module without gethostbyname4_r).  0, an EAI_
 * code, or NW_NOT_HERE: the module does not know it either.
 */
static int nw_module_hosts(const char *name, const struct addrinfo *req, struct nw_ai_list *l)
{
	const struct nw_module *m = nw_module();
	bool canon = req->ai_flags & AI_CANONNAME;
	int family = req->ai_family, v6 = 0, v4 = 0;

	if (m == NULL || m->gethostbyname2_r == NULL)
		return NW_NOT_HERE;
	if (family == AF_UNSPEC || family == AF_INET6)
		v6 = nw_module_family(m, name, AF_INET6, false, canon, l);
	if (v6 >= 0 && (family == AF_UNSPEC || family == AF_INET ||
			(family == AF_INET6 && (req->ai_flags & AI_V4MAPPED) &&
			 ((req->ai_flags & AI_ALL) || v6 == 0))))
		v4 = nw_module_family(m, name, AF_INET, family == AF_INET6, canon, l);
	if (v6 < 0)
		return v6;
	if (v4 < 0)
		return v4;
	return v6 || v4 ? 0 : NW_NOT_HERE;
}

/*
 * A name from the hosts file, the way glibc asks its files module:
 * AF_UNSPEC in one pass (gethostbyname4); AF_INET6 first as IPv6, then,
 * with AI_V4MAPPED, as IPv4 mapped to IPv6 when nothing was found or
 * AI_ALL asks for both; IPv4-mapped addresses found as IPv6 are dropped
 * when AI_V4MAPPED comes without AI_ALL and IPv6 answered.  0, an EAI_
 * code, or NW_NOT_HERE when neither the file nor the module has the name.
 */
static int nw_hosts_by_name(const char *name, const struct addrinfo *req,
			    struct nw_ai_list *l)
{
	struct nw_host_answer ans;
	bool canon = req->ai_flags & AI_CANONNAME, got_v6 = false, any = false;
	int family = req->ai_family, r;

	if (family == AF_UNSPEC || family == AF_INET) {
		r = nw_hosts_lookup(name, family, &ans);
		if (r < 0)
			return EAI_MEMORY;
		any = r > 0;
		r = nw_take_answer(l, &ans, false, canon) ? 0 : EAI_MEMORY;
		nw_host_answer_free(&ans);
	} else {
		r = nw_hosts_lookup(name, AF_INET6, &ans);
		if (r < 0)
			return EAI_MEMORY;
		any = got_v6 = r > 0;
		r = nw_take_answer(l, &ans, false, canon) ? 0 : EAI_MEMORY;
		nw_host_answer_free(&ans);
		if (r == 0 && (req->ai_flags & AI_V4MAPPED) &&
		    ((req->ai_flags & AI_ALL) || !got_v6)) {
			r = nw_hosts_lookup(name, AF_INET, &ans);
			if (r < 0)
				return EAI_MEMORY;
			any = any || r > 0;
			r = nw_take_answer(l, &ans, true, canon) ? 0 : EAI_MEMORY;
			nw_host_answer_free(&ans);
		}
		if (r == 0 && got_v6 &&
		    (req->ai_flags & (AI_V4MAPPED | AI_ALL)) == AI_V4MAPPED) {
			size_t keep = 0;

			for (size_t i = 0; i < l->n; i++) {
				struct in6_addr a;

				memcpy(&a, l->v[i].addr, 16);
				if (!IN6_IS_ADDR_V4MAPPED(&a))
					l->v[keep++] = l->v[i];
			}
			l->n = keep;
		}
	}
	if (r != 0)
		return r;
	if (!any) {
		if (nw_hosts_lookup(name, AF_UNSPEC, &ans) > 0) {
			nw_host_answer_free(&ans);
			return EAI_NONAME;
		}
		return nw_module_hosts(name, req, l);
	}
	return l->n ? 0 : EAI_NONAME;
}

/* The scope id after '%': a number, or an interface name (link-local). */
static bool nw_scope_id(const unsigned char *addr, const char *text, uint32_t *out)
{
	struct in6_addr a;
	char *end;
	unsigned long v;

	memcpy(&a, addr, 16);
	if ((IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_MC_LINKLOCAL(&a)) &&
	    (*out = if_nametoindex(text)) != 0)
		return true;
	if (!isdigit((unsigned char)*text))
		return false;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (*end != '\0' || errno || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/*
 * The addresses of the host: 0, an EAI_ code, or NW_NOT_HERE ("not in
 * the file, maybe ask the system").
 */
static int nw_hosts_of(const char *name, const struct addrinfo *req, struct nw_ai_list *l)
{
	static const unsigned char any6[16], loop6[16] = { [15] = 1 };
	unsigned char v6[16];
	struct in_addr v4;
	const char *pct;
	int family = req->ai_family;

	if (name == NULL) {
		bool passive = req->ai_flags & AI_PASSIVE;
		uint32_t a = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);

		if ((family == AF_UNSPEC || family == AF_INET6) &&
		    !nw_at_add(l, AF_INET6, passive ? any6 : loop6, 0))
			return EAI_MEMORY;
		if ((family == AF_UNSPEC || family == AF_INET) && !nw_at_add(l, AF_INET, &a, 0))
			return EAI_MEMORY;
		return 0;
	}
	if (nw_aton_exact(name, &v4)) {
		if (family == AF_UNSPEC || family == AF_INET) {
			if (!nw_at_add(l, AF_INET, &v4, 0))
				return EAI_MEMORY;
		} else if (family == AF_INET6 && (req->ai_flags & AI_V4MAPPED)) {
			memset(v6, 0, 10);
			v6[10] = v6[11] = 0xff;
			memcpy(v6 + 12, &v4, 4);
			if (!nw_at_add(l, AF_INET6, v6, 0))
				return EAI_MEMORY;
		} else {
			return EAI_ADDRFAMILY;
		}
		goto numeric;
	}
	pct = strchr(name, '%');
	{
		char text[INET6_ADDRSTRLEN + 1];
		size_t n = pct ? (size_t)(pct - name) : strlen(name);
		uint32_t scope = 0;

		if (n < sizeof(text)) {
			memcpy(text, name, n);
			text[n] = '\0';
			if (inet_pton(AF_INET6, text, v6) == 1) {
				struct in6_addr a;

				memcpy(&a, v6, 16);
				if (family == AF_INET && !IN6_IS_ADDR_V4MAPPED(&a))
					return EAI_ADDRFAMILY;
				if (pct != NULL && !nw_scope_id(v6, pct + 1, &scope))
					return EAI_NONAME;
				if (family == AF_UNSPEC || family == AF_INET6) {
					if (!nw_at_add(l, AF_INET6, v6, scope))
						return EAI_MEMORY;
				} else if (family == AF_INET && IN6_IS_ADDR_V4MAPPED(&a)) {
					if (!nw_at_add(l, AF_INET, v6 + 12, 0))
						return EAI_MEMORY;
				} else {
					return EAI_ADDRFAMILY;
				}
				goto numeric;
			}
		}
	}
	if (req->ai_flags & AI_NUMERICHOST)
		return EAI_NONAME;
	return nw_hosts_by_name(name, req, l);
numeric:
	if (req->ai_flags & AI_CANONNAME) {
		l->canon = strdup(name);
		if (l->canon == NULL)
			return EAI_MEMORY;
	}
	return 0;
}

/* ---- RFC 3484 ordering, as glibc does it ----------------------------- */

struct nw_prefix {
	unsigned char addr[16];
	int bits;
	int value;
};

/* glibc's defaults (no /etc/gai.conf rules). */
static const struct nw_prefix nw_labels[] = {
	{ { [15] = 1 }, 128, 0 },
	{ { 0x20, 0x02 }, 16, 2 },
	{ { 0 }, 96, 3 },
	{ { [10] = 0xff, [11] = 0xff }, 96, 4 },
	{ { 0xfe, 0xc0 }, 10, 5 },
	{ { 0xfc }, 7, 6 },
	{ { 0x20, 0x01 }, 32, 7 },
	{ { 0 }, 0, 1 },
};

static const struct nw_prefix nw_precedences[] = {
	{ { [15] = 1 }, 128, 50 },
	{ { 0x20, 0x02 }, 16, 30 },
	{ { 0 }, 96, 20 },
	{ { [10] = 0xff, [11] = 0xff }, 96, 10 },
	{ { 0 }, 0, 40 },
};

struct nw_sortee {
	struct addrinfo *ai;
	size_t index;
	bool got_source;
	struct sockaddr_storage source;
	int prefixlen;
};

/* An address as IPv6 (IPv4 mapped), for the tables. */
static void nw_as_v6(const struct sockaddr *sa, unsigned char out[16])
{
	if (sa->sa_family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	}
}

static bool nw_prefix_match(const unsigned char *a, const unsigned char *p, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, p, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	return (a[full] & mask) == (p[full] & mask);
}

static int nw_table_value(const struct nw_prefix *tab, size_t n, const struct sockaddr *sa)
{
	unsigned char a[16];

	nw_as_v6(sa, a);
	for (size_t i = 0; i < n; i++)
		if (nw_prefix_match(a, tab[i].addr, tab[i].bits))
			return tab[i].value;
	return tab[n - 1].value;
}

static int nw_label(const struct sockaddr *sa)
{
	return nw_table_value(nw_labels, sizeof(nw_labels) / sizeof(nw_labels[0]), sa);
}

static int nw_precedence(const struct sockaddr *sa)
{
	return nw_table_value(nw_precedences,
			      sizeof(nw_precedences) / sizeof(nw_precedences[0]), sa);
}

static int nw_scope(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_MULTICAST(a))
			return a->s6_addr[1] & 0xf;
		if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a))
			return 2;
		if (IN6_IS_ADDR_SITELOCAL(a))
			return 5;
		return 14;
	}
	uint32_t v = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

	if ((v & 0xffff0000u) == 0xa9fe0000u || (v & 0xff000000u) == 0x7f000000u)
		return 2;
	return 14;
}

static int nw_fls(uint32_t v)
{
	return v ? 32 - __builtin_clz(v) : 0;
}

static int nw_rfc3484(const void *p1, const void *p2)
{
	const struct nw_sortee *a1 = p1, *a2 = p2;
	const struct sockaddr *d1 = a1->ai->ai_addr, *d2 = a2->ai->ai_addr;
	const struct sockaddr *s1 = (const void *)&a1->source, *s2 = (const void *)&a2->source;
	int sc1 = nw_scope(d1), sc2 = nw_scope(d2);

	/* 1: avoid unusable destinations */
	if (a1->got_source != a2->got_source)
		return a1->got_source ? -1 : 1;
	/* 2: prefer matching scope */
	if (a1->got_source) {
		bool m1 = sc1 == nw_scope(s1), m2 = sc2 == nw_scope(s2);

		if (m1 != m2)
			return m1 ? -1 : 1;
	}
	/* 5: prefer matching label */
	if (a1->got_source) {
		bool m1 = nw_label(d1) == nw_label(s1), m2 = nw_label(d2) == nw_label(s2);

		if (m1 != m2)
			return m1 ? -1 : 1;
	}
	/* 6: prefer higher precedence */
	int p1v = nw_precedence(d1), p2v = nw_precedence(d2);

	if (p1v != p2v)
		return p1v > p2v ? -1 : 1;
	/* 8: prefer smaller scope */
	if (sc1 != sc2)
		return sc1 < sc2 ? -1 : 1;
	/* 9: longest matching prefix */
	if (a1->got_source && d1->sa_family == d2->sa_family) {
		int bit1 = 0, bit2 = 0;

		if (d1->sa_family == AF_INET) {
			uint32_t dst1 = ntohl(((const struct sockaddr_in *)(const void *)d1)->sin_addr.s_addr);
			uint32_t src1 = ntohl(((const struct sockaddr_in *)(const void *)s1)->sin_addr.s_addr);
			uint32_t dst2 = ntohl(((const struct sockaddr_in *)(const void *)d2)->sin_addr.s_addr);
			uint32_t src2 = ntohl(((const struct sockaddr_in *)(const void *)s2)->sin_addr.s_addr);
			uint32_t mask1 = a1->prefixlen ? 0xffffffffu << (32 - a1->prefixlen) : 0;
			uint32_t mask2 = a2->prefixlen ? 0xffffffffu << (32 - a2->prefixlen) : 0;

			if ((src1 & mask1) == (dst1 & mask1))
				bit1 = nw_fls(dst1 ^ src1);
			if ((src2 & mask2) == (dst2 & mask2))
				bit2 = nw_fls(dst2 ^ src2);
		} else if (d1->sa_family == AF_INET6) {
			const uint32_t *dd1 = ((const struct sockaddr_in6 *)(const void *)d1)->sin6_addr.s6_addr32;
			const uint32_t *ss1 = ((const struct sockaddr_in6 *)(const void *)s1)->sin6_addr.s6_addr32;
			const uint32_t *dd2 = ((const struct sockaddr_in6 *)(const void *)d2)->sin6_addr.s6_addr32;
			const uint32_t *ss2 = ((const struct sockaddr_in6 *)(const void *)s2)->sin6_addr.s6_addr32;
			int i;

			for (i = 0; i < 4; i++)
				if (dd1[i] != ss1[i] || dd2[i] != ss2[i])
					break;
			if (i < 4) {
				bit1 = nw_fls(ntohl(dd1[i] ^ ss1[i]));
				bit2 = nw_fls(ntohl(dd2[i] ^ ss2[i]));
			}
		}
		if (bit1 != bit2)
			return bit1 > bit2 ? 1 : -1;
	}
	/* 10: keep the order */
	return a1->index < a2->index ? -1 : 1;
}

static int nw_prefixlen_of(const struct ifaddrs *ifa, const struct sockaddr *src)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		const unsigned char *m;
		size_t len;
		int bits = 0;

		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    i->ifa_addr->sa_family != src->sa_family)
			continue;
		if (src->sa_family == AF_INET) {
			if (memcmp(&((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr,
				   &((const struct sockaddr_in *)(const void *)src)->sin_addr, 4) != 0)
				continue;
			m = (const void *)&((const struct sockaddr_in *)(const void *)i->ifa_netmask)->sin_addr;
			len = 4;
		} else {
			if (memcmp(&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr,
				   &((const struct sockaddr_in6 *)(const void *)src)->sin6_addr, 16) != 0)
				continue;
			m = (const void *)&((const struct sockaddr_in6 *)(const void *)i->ifa_netmask)->sin6_addr;
			len = 16;
		}
		for (size_t b = 0; b < len; b++)
			bits += __builtin_popcount(m[b]);
		return bits;
	}
	return 0;
}

static void nw_sort(struct addrinfo **head, size_t n)
{
	struct nw_sortee *v = calloc(n, sizeof(*v));
	struct ifaddrs *ifa = NULL;
	struct addrinfo *ai = *head;

	if (v == NULL)
		return;
	if (getifaddrs(&ifa) != 0)
		ifa = NULL;
	for (size_t i = 0; i < n; i++, ai = ai->ai_next) {
		socklen_t sl = sizeof(v[i].source);

		v[i].ai = ai;
		v[i].index = i;
		/* A fresh socket each time: a connected one keeps its source. */
		int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_IP);

		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    getsockname(fd, (struct sockaddr *)&v[i].source, &sl) == 0) {
			v[i].got_source = true;
			v[i].prefixlen = nw_prefixlen_of(ifa, (struct sockaddr *)&v[i].source);
		}
		if (fd >= 0)
			close(fd);
	}
	if (ifa)
		freeifaddrs(ifa);
	qsort(v, n, sizeof(*v), nw_rfc3484);
	for (size_t i = 0; i < n; i++)
		v[i].ai->ai_next = i + 1 < n ? v[i + 1].ai : NULL;
	*head = v[0].ai;
	free(v);
}

/* ---- the call ------------------------------------------------------- */

static struct addrinfo *nw_make_ai(const struct nw_at *at, const struct nw_serv *st,
				   int flags)
{
	socklen_t len = at->family == AF_INET ? sizeof(struct sockaddr_in)
					      : sizeof(struct sockaddr_in6);
	struct addrinfo *ai = calloc(1, sizeof(*ai) + len);

	if (ai == NULL)
		return NULL;
	ai->ai_flags = flags;
	ai->ai_family = at->family;
	ai->ai_socktype = st->socktype;
	ai->ai_protocol = st->protocol;
	ai->ai_addrlen = len;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	if (at->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;

		sin->sin_family = AF_INET;
		sin->sin_port = st->port;
		memcpy(&sin->sin_addr, at->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ai->ai_addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = st->port;
		sin6->sin6_scope_id = at->scope;
		memcpy(&sin6->sin6_addr, at->addr, 16);
	}
	return ai;
}

#define NW_AI_FLAGS (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_ADDRCONFIG | \
		     AI_V4MAPPED | AI_NUMERICSERV | AI_ALL | AI_IDN | AI_CANONIDN)

CW_EXPORT int getaddrinfo(const char *node, const char *service,
			  const struct addrinfo *hints, struct addrinfo **res)
{
	static const struct addrinfo no_hints = { .ai_flags = AI_V4MAPPED | AI_ADDRCONFIG };
	struct nw_serv servs[NW_NTYPES];
	struct nw_ai_list l = { 0 };
	struct addrinfo req, *head = NULL, **tail = &head;
	size_t nserv = 0, n = 0;
	int rc, saved = errno;

	if (!nw_hosts_on())
		return REAL(getaddrinfo)(node, service, hints, res);
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	req = hints ? *hints : no_hints;
	if (req.ai_flags & ~NW_AI_FLAGS)
		return EAI_BADFLAGS;
	if ((req.ai_flags & AI_CANONNAME) && node == NULL)
		return EAI_BADFLAGS;
	if (req.ai_family != AF_UNSPEC && req.ai_family != AF_INET &&
	    req.ai_family != AF_INET6)
		return EAI_FAMILY;
	if (req.ai_flags & AI_ADDRCONFIG) {
		bool v4, v6;

		nw_addrconfig(&v4, &v6);
		if (req.ai_family == AF_UNSPEC && (v4 || v6)) {
			if (v4 != v6)
				req.ai_family = v4 ? AF_INET : AF_INET6;
		} else if ((req.ai_family == AF_INET && !v4) ||
			   (req.ai_family == AF_INET6 && !v6)) {
			return EAI_NONAME;
		}
	}
	if (service != NULL && service[0] != '\0') {
		char *end;

		(void)strtoul(service, &end, 10);
		if (*end != '\0' && (req.ai_flags & AI_NUMERICSERV))
			return EAI_NONAME;
	} else {
		service = NULL;
	}
	rc = nw_services(service, &req, servs, &nserv);
	if (rc != 0)
		return rc;
	rc = nw_hosts_of(node, &req, &l);
	if (rc == NW_NOT_HERE) {
		free(l.canon);
		free(l.v);
		if (nw_hosts_fallback()) {
			CW_LOG(CW_DEBUG, "%s is not in %s: asking the system resolver",
			       node, nw_source_path(&nw_hosts_source));
			return REAL(getaddrinfo)(node, service, hints, res);
		}
		CW_LOG(CW_DEBUG, "%s is not in %s (NSS_WRAPPER_HOSTS_FALLBACK is off)",
		       node, nw_source_path(&nw_hosts_source));
		return EAI_NONAME;
	}
	if (rc != 0)
		goto fail;
	for (size_t i = 0; i < l.n; i++) {
		for (size_t j = 0; j < nserv; j++) {
			struct addrinfo *ai = nw_make_ai(&l.v[i], &servs[j], req.ai_flags);

			if (ai == NULL) {
				rc = EAI_MEMORY;
				goto fail;
			}
			*tail = ai;
			tail = &ai->ai_next;
			n++;
		}
	}
	if (n > 1)
		nw_sort(&head, n);
	if (head != NULL) {
		head->ai_canonname = l.canon;
		l.canon = NULL;
	}
	free(l.canon);
	free(l.v);
	*res = head;
	errno = saved;
	return 0;
fail:
	REAL(freeaddrinfo)(head);
	free(l.canon);
	free(l.v);
	errno = saved;
	return rc;
}

/* The results are laid out as glibc's: its freeaddrinfo frees them. */
CW_EXPORT void freeaddrinfo(struct addrinfo *ai)
{
	REAL(freeaddrinfo)(ai);
}
