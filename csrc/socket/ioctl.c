/*
 * ioctl(): interface requests on an emulated socket (SIOCGIFCONF,
 * SIOCGIFADDR, ...) describe the fake interface (ifaces.h); everything
 * else goes to the AF_UNIX socket, which answers FIONREAD, FIONBIO,
 * SIOCINQ and SIOCOUTQ as TCP would.
 */
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "calls.h"
#include "ifaces.h"

static int sw_ifreq(unsigned long request, struct ifreq *ifr)
{
	char own[IF_NAMESIZE];
	unsigned iface;
	struct sockaddr_storage ss;

	if (!sw_iface_name(own, sizeof(own), &iface))
		return sw_fail(ENODEV);
	if (request == SIOCGIFNAME) {
		if ((unsigned)ifr->ifr_ifindex != iface)
			return sw_fail(ENODEV);
		strcpy(ifr->ifr_name, own);
		return 0;
	}
	if (strncmp(ifr->ifr_name, own, IF_NAMESIZE) != 0)
		return sw_fail(ENODEV);
	switch (request) {
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = (int)iface;
		return 0;
	case SIOCGIFFLAGS:
		ifr->ifr_flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
		return 0;
	case SIOCGIFADDR:
		sw_host_sockaddr(iface, AF_INET, true, &ss);
		memcpy(&ifr->ifr_addr, &ss, sizeof(struct sockaddr_in));
		return 0;
	case SIOCGIFNETMASK:
		ifr->ifr_netmask = (struct sockaddr){ .sa_family = AF_INET };
		((struct sockaddr_in *)&ifr->ifr_netmask)->sin_addr.s_addr = htonl(0xff000000u);
		return 0;
	case SIOCGIFBRDADDR:
		ifr->ifr_broadaddr = (struct sockaddr){ .sa_family = AF_INET };
		((struct sockaddr_in *)&ifr->ifr_broadaddr)->sin_addr.s_addr =
			htonl(sw_config()->ipv4_net | 0x00ffffffu);
		return 0;
	case SIOCGIFMTU:
		ifr->ifr_mtu = (int)sw_config()->mtu;
		return 0;
	default:
		return sw_fail(EINVAL);
	}
}

static int sw_ifconf(struct ifconf *ifc)
{
	struct ifreq one;

	memset(&one, 0, sizeof(one));
	if (!sw_iface_name(one.ifr_name, sizeof(one.ifr_name), &(unsigned){ 0 }))
		return sw_fail(ENODEV);
	if (sw_ifreq(SIOCGIFADDR, &one) != 0)
		return -1;
	if (ifc->ifc_req == NULL) {           /* asking for the size needed */
		ifc->ifc_len = sizeof(struct ifreq);
		return 0;
	}
	if (ifc->ifc_len < (int)sizeof(struct ifreq)) {
		ifc->ifc_len = 0;
		return 0;
	}
	memcpy(ifc->ifc_req, &one, sizeof(one));
	ifc->ifc_len = sizeof(struct ifreq);
	return 0;
}

static bool sw_is_if_request(unsigned long request)
{
	switch (request) {
	case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCGIFADDR:
	case SIOCGIFNETMASK: case SIOCGIFBRDADDR: case SIOCGIFMTU:
		return true;
	default:
		return false;
	}
}

/* Every ioctl argument is an int or a pointer: passed on as a word. */
CW_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct sw_sock *sock = sw_fd_get(fd);
	va_list ap;
	uintptr_t arg;

	va_start(ap, request);
	arg = va_arg(ap, uintptr_t);
	va_end(ap);
	if (sock != NULL) {
		if (request == SIOCGIFCONF)
			return sw_ifconf((struct ifconf *)arg);
		if (sw_is_if_request(request))
			return sw_ifreq(request, (struct ifreq *)arg);
	}
	return REAL(ioctl)(fd, request, arg);
}
