/*
 * getnameinfo() answered from NSS_WRAPPER_HOSTS, with glibc's checks and
 * flags: NI_NUMERICHOST, NI_NAMEREQD, NI_NOFQDN, NI_NUMERICSERV, NI_DGRAM
 * (NI_IDN is accepted).  Services come from the real
 * services database.  An address missing from the file is given in
 * numeric form (or EAI_NONAME with NI_NAMEREQD), unless
 * NSS_WRAPPER_HOSTS_FALLBACK=1 hands the call to the system.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "init.h"
#include "log.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

#ifndef NI_IDN
#define NI_IDN 32
#endif

/* The local domain for NI_NOFQDN: after the first dot of the host name. */
static const char *nw_local_domain(char *buf, size_t len)
{
	const char *name = nw_hostname();
	char host[256];
	const char *dot;

	if (name == NULL) {
		if (REAL(gethostname)(host, sizeof(host)) != 0)
			return NULL;
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	dot = strchr(name, '.');
	if (dot == NULL)
		return NULL;
	snprintf(buf, len, "%s", dot + 1);
	return buf;
}

static int nw_numeric_host(const struct sockaddr *sa, char *host, socklen_t hostlen)
{
	char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  text, sizeof(text));
	} else {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		if (s6->sin6_scope_id != 0) {
			char ifname[IF_NAMESIZE];
			size_t n = strlen(text);

			if ((IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) ||
			     IN6_IS_ADDR_MC_LINKLOCAL(&s6->sin6_addr)) &&
			    if_indextoname(s6->sin6_scope_id, ifname) != NULL)
				snprintf(text + n, sizeof(text) - n, "%%%s", ifname);
			else
				snprintf(text + n, sizeof(text) - n, "%%%u", s6->sin6_scope_id);
		}
	}
	if (strlen(text) >= hostlen)
		return EAI_OVERFLOW;
	strcpy(host, text);
	return 0;
}

/* Not an EAI_ code (those are negative): the system should answer. */
#define NW_ASK_SYSTEM 1

/* 0, an EAI_ code, or NW_ASK_SYSTEM. */
static int nw_host_part(const struct sockaddr *sa, char *host, socklen_t hostlen, int flags)
{
	if (!(flags & NI_NUMERICHOST)) {
		const void *addr;
		socklen_t alen;
		int r;

		if (sa->sa_family == AF_INET) {
			addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
			alen = 4;
		} else {
			addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
			alen = 16;
		}
		r = nw_hosts_name_of(addr, alen, sa->sa_family, host, hostlen);
		if (r < 0)
			return EAI_OVERFLOW;
		if (r > 0) {
			char dom[256];
			const char *domain;

			if ((flags & NI_NOFQDN) && (domain = nw_local_domain(dom, sizeof(dom)))) {
				char *dot = strchr(host, '.');

				if (dot != NULL && strcmp(dot + 1, domain) == 0)
					*dot = '\0';
			}
			return 0;
		}
		if (nw_hosts_fallback())
			return NW_ASK_SYSTEM;
	}
	/* A numeric answer is never a name, even when NI_NUMERICHOST asked for it. */
	if (flags & NI_NAMEREQD)
		return EAI_NONAME;
	return nw_numeric_host(sa, host, hostlen);
}

static int nw_serv_part(const struct sockaddr *sa, char *serv, socklen_t servlen, int flags)
{
	uint16_t port = sa->sa_family == AF_INET
		? ((const struct sockaddr_in *)(const void *)sa)->sin_port
		: ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port;
	int n;

	if (!(flags & NI_NUMERICSERV)) {
		struct servent se, *res = NULL;
		char buf[4096];

		if (getservbyport_r(port, (flags & NI_DGRAM) ? "udp" : "tcp", &se, buf,
				    sizeof(buf), &res) == 0 && res != NULL) {
			if (strlen(res->s_name) >= servlen)
				return EAI_OVERFLOW;
			strcpy(serv, res->s_name);
			return 0;
		}
	}
	n = snprintf(serv, servlen, "%d", ntohs(port));
	if (n < 0 || (socklen_t)n >= servlen)
		return EAI_OVERFLOW;
	return 0;
}

CW_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
			  socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	int rc, saved = errno;

	if (!nw_hosts_on())
		return REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
	/* glibc ignores flags it does not know. */
	if (sa == NULL || salen < sizeof(sa_family_t))
		return EAI_FAMILY;
	if ((flags & NI_NAMEREQD) && host == NULL && serv == NULL)
		return EAI_NONAME;
	switch (sa->sa_family) {
	case AF_INET:
		if (salen < sizeof(struct sockaddr_in))
			return EAI_FAMILY;
		break;
	case AF_INET6:
		if (salen < sizeof(struct sockaddr_in6))
			return EAI_FAMILY;
		break;
	default:
		/* AF_LOCAL and the rest: nothing the hosts file knows. */
		return REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
	}
	if (host != NULL && hostlen > 0) {
		rc = nw_host_part(sa, host, hostlen, flags);
		if (rc == NW_ASK_SYSTEM)
			return REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
		if (rc != 0)
			return rc;
	}
	if (serv != NULL && servlen > 0) {
		rc = nw_serv_part(sa, serv, servlen, flags);
		if (rc != 0)
			return rc;
	}
	errno = saved;
	return 0;
}
