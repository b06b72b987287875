/*
 * IP, IPv6, TCP and UDP level options of an emulated socket.
 *
 * An AF_UNIX socket has none of them, so the shim keeps their values:
 * getsockopt returns what setsockopt set, or the kernel's default, and
 * setsockopt rejects what the kernel rejects.
 */
#ifndef SW_SOCKOPT_STORE_H
#define SW_SOCKOPT_STORE_H

#include <stdbool.h>
#include <sys/socket.h>

#define SW_OPT_KNOWN 40
#define SW_OPT_EXTRA 8
#define SW_OPT_EXTRA_LEN 64

struct sw_opt_extra {
	int level, name;
	socklen_t len;
	unsigned char data[SW_OPT_EXTRA_LEN];
};

struct sw_opts {
	int value[SW_OPT_KNOWN];
	char congestion[16];
	bool broadcast;          /* SO_BROADCAST, needed to send to a broadcast address */
	bool reuseport;
	bool pktinfo;            /* IP_PKTINFO */
	bool pktinfo6;           /* IPV6_RECVPKTINFO */
	bool v6only;             /* IPV6_V6ONLY */
	struct sw_opt_extra extra[SW_OPT_EXTRA];
};

void sw_opts_init(struct sw_opts *opts, int family, int type);

struct sw_sock;

/* 1 if (level, name) is handled here (result in *ret, errno set on -1),
 * 0 if the call should go to the real AF_UNIX socket. */
int sw_opt_set(struct sw_sock *sock, int level, int name, const void *val,
	       socklen_t len, int *ret);
int sw_opt_get(struct sw_sock *sock, int level, int name, void *val,
	       socklen_t *len, int *ret);

#endif
