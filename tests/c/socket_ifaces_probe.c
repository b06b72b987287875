/* Prints the interfaces a process sees: getifaddrs, if_nameindex,
 * SIOCGIFCONF and if_nametoindex. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct ifaddrs *l, *p;
	char ip[64];
	getifaddrs(&l);
	for (p = l; p; p = p->ifa_next) {
		if (!p->ifa_addr) continue;
		if (p->ifa_addr->sa_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in*)p->ifa_addr)->sin_addr, ip, 64);
		else if (p->ifa_addr->sa_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6*)p->ifa_addr)->sin6_addr, ip, 64);
		else continue;
		printf("ifaddr %s %s\n", p->ifa_name, ip);
	}
	freeifaddrs(l);
	struct if_nameindex *ni = if_nameindex();
	for (struct if_nameindex *q = ni; q->if_index; q++) printf("nameindex %u %s\n", q->if_index, q->if_name);
	if_freenameindex(ni);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq reqs[8]; struct ifconf ifc = { .ifc_len = sizeof reqs, .ifc_req = reqs };
	ioctl(fd, SIOCGIFCONF, &ifc);
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
		inet_ntop(AF_INET, &((struct sockaddr_in*)&reqs[i].ifr_addr)->sin_addr, ip, 64);
		printf("ifconf %s %s\n", reqs[i].ifr_name, ip);
	}
	printf("nametoindex %u\n", if_nametoindex(reqs[0].ifr_name));
}
