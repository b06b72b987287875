#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "ifaces.h"
#include "socket_lock.h"

bool sw_iface_name(char *out, size_t size, unsigned *index)
{
	unsigned iface;

	if (sw_state() != SW_ON || (iface = sw_default_iface()) == 0)
		return false;
	snprintf(out, size, "cwrap%u", iface);
	*index = iface;
	return true;
}

/* One allocation holds the whole list; its address is remembered so that
 * freeifaddrs() can tell our lists from libc's. */
struct sw_ifaddrs_block {
	struct ifaddrs entry[2];
	struct sockaddr_in addr4, mask4, bcast4;
	struct sockaddr_in6 addr6, mask6;
	char name[IF_NAMESIZE];
};

#define SW_MAX_LISTS 64
static struct sw_ifaddrs_block *sw_lists[SW_MAX_LISTS];

static bool sw_remember(struct sw_ifaddrs_block *block)
{
	bool stored = false;

	cw_lock(&sw_pool_lock);
	for (int i = 0; i < SW_MAX_LISTS && !stored; i++)
		if (sw_lists[i] == NULL)
			sw_lists[i] = block, stored = true;
	cw_unlock(&sw_pool_lock);
	return stored;
}

static bool sw_forget(void *list)
{
	bool found = false;

	cw_lock(&sw_pool_lock);
	for (int i = 0; i < SW_MAX_LISTS && !found; i++)
		if (list != NULL && (void *)sw_lists[i] == list)
			sw_lists[i] = NULL, found = true;
	cw_unlock(&sw_pool_lock);
	return found;
}

static void sw_fill(struct sw_ifaddrs_block *b, unsigned iface)
{
	struct sockaddr_storage ss;
	uint32_t net = sw_config()->ipv4_net;

	sw_host_sockaddr(iface, AF_INET, true, &ss);
	memcpy(&b->addr4, &ss, sizeof(b->addr4));
	b->mask4 = (struct sockaddr_in){ .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(0xff000000u) };
	b->bcast4 = (struct sockaddr_in){ .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(net | 0x00ffffffu) };
	sw_host_sockaddr(iface, AF_INET6, false, &ss);
	memcpy(&b->addr6, &ss, sizeof(b->addr6));
	b->addr6.sin6_scope_id = 0;
	b->mask6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
	memset(b->mask6.sin6_addr.s6_addr, 0xff, 8);
	for (int i = 0; i < 2; i++) {
		b->entry[i].ifa_name = b->name;
		b->entry[i].ifa_flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
	}
	b->entry[0].ifa_next = &b->entry[1];
	b->entry[0].ifa_addr = (struct sockaddr *)&b->addr4;
	b->entry[0].ifa_netmask = (struct sockaddr *)&b->mask4;
	b->entry[0].ifa_broadaddr = (struct sockaddr *)&b->bcast4;
	b->entry[1].ifa_addr = (struct sockaddr *)&b->addr6;
	b->entry[1].ifa_netmask = (struct sockaddr *)&b->mask6;
}

CW_EXPORT int getifaddrs(struct ifaddrs **out)
{
	struct sw_ifaddrs_block *block;
	unsigned iface;
	char name[IF_NAMESIZE];

	if (!sw_iface_name(name, sizeof(name), &iface))
		return REAL(getifaddrs)(out);
	block = calloc(1, sizeof(*block));
	if (block == NULL)
		return sw_fail(ENOMEM);
	strcpy(block->name, name);
	sw_fill(block, iface);
	if (!sw_remember(block)) {
		free(block);
		return sw_fail(ENOMEM);
	}
	*out = &block->entry[0];
	return 0;
}

CW_EXPORT void freeifaddrs(struct ifaddrs *list)
{
	if (sw_forget(list))
		free(list);
	else
		REAL(freeifaddrs)(list);
}

CW_EXPORT unsigned int if_nametoindex(const char *name)
{
	char own[IF_NAMESIZE];
	unsigned iface;

	if (!sw_iface_name(own, sizeof(own), &iface))
		return REAL(if_nametoindex)(name);
	if (name != NULL && strcmp(name, own) == 0)
		return iface;
	errno = ENODEV;
	return 0;
}

CW_EXPORT char *if_indextoname(unsigned int index, char buf[IF_NAMESIZE])
{
	char own[IF_NAMESIZE];
	unsigned iface;

	if (!sw_iface_name(own, sizeof(own), &iface))
		return REAL(if_indextoname)(index, buf);
	if (index != iface) {
		errno = ENXIO;
		return NULL;
	}
	return strcpy(buf, own);
}

CW_EXPORT struct if_nameindex *if_nameindex(void)
{
	char own[IF_NAMESIZE];
	unsigned iface;
	struct { struct if_nameindex list[2]; char name[IF_NAMESIZE]; } *block;

	if (!sw_iface_name(own, sizeof(own), &iface))
		return REAL(if_nameindex)();
	block = calloc(1, sizeof(*block));
	if (block == NULL) {
		errno = ENOBUFS;
		return NULL;
	}
	strcpy(block->name, own);
	block->list[0] = (struct if_nameindex){ iface, block->name };
	if (!sw_remember((void *)block)) {
		free(block);
		errno = ENOBUFS;
		return NULL;
	}
	return block->list;
}

CW_EXPORT void if_freenameindex(struct if_nameindex *list)
{
	if (sw_forget(list))
		free(list);
	else
		REAL(if_freenameindex)(list);
}
