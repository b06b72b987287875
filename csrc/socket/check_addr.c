#include <netinet/in.h>

#include "calls.h"

/* The kernel's order: a too-short address is EINVAL, a wrong family
 * EAFNOSUPPORT (an IPv6 socket also takes an IPv4 address for UDP). */
int sw_check_inet_addr(const struct sw_sock *sock, const struct sockaddr *sa,
		       socklen_t len, bool for_bind)
{
	if (sa == NULL)
		return EFAULT;
	if (sock->family == AF_INET) {
		if (len < (socklen_t)sizeof(struct sockaddr_in))
			return EINVAL;
		if (sa->sa_family == AF_INET)
			return 0;
		if (for_bind && sa->sa_family == AF_UNSPEC &&
		    ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY))
			return 0;
		return EAFNOSUPPORT;
	}
	if (sa->sa_family == AF_INET && !for_bind && sock->type == SOCK_DGRAM &&
	    len >= (socklen_t)sizeof(struct sockaddr_in))
		return 0;
	if (len < 24)   /* SIN6_LEN_RFC2133: sin6_scope_id may be missing */
		return EINVAL;
	return sa->sa_family == AF_INET6 ? 0 : EAFNOSUPPORT;
}
