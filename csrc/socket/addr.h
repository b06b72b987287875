/*
 * The fake address plan, and how an inet endpoint becomes a socket file.
 *
 * Fake host X (1..64) is 127.0.0.X (or 10.53.57.X) and fd00::5357:5fXX.
 * The file of an endpoint is "<dir>/" + type letter + 2 hex digits of the
 * interface + 4 of the port: TCP 127.0.0.10:7 is T0A0007 (U for UDP; X
 * and Y for TCP and UDP over IPv6), as upstream socket_wrapper names them,
 * so both can share one directory.
 */
#ifndef SW_ADDR_H
#define SW_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config.h"

struct sw_endpoint {
	char letter;             /* T, U, X or Y */
	unsigned iface;          /* 1..64 */
	unsigned port;           /* host order */
};

enum sw_addr_kind {
	SW_ADDR_HOST,            /* a fake host: iface is set */
	SW_ADDR_ANY,             /* 0.0.0.0 or :: */
	SW_ADDR_BROADCAST,       /* 255.255.255.255 or the network's broadcast */
	SW_ADDR_LOOPBACK_OTHER,  /* in 127/8 but no fake host (nobody there) */
	SW_ADDR_OUTSIDE,         /* not on the fake network at all */
};

/* Classifies an inet address; fills iface for SW_ADDR_HOST.  `v4` tells
 * whether an AF_INET6 address was v4-mapped. */
enum sw_addr_kind sw_addr_classify(const struct sockaddr *sa, unsigned *iface,
				   bool *v4);

/* The port of an AF_INET/AF_INET6 address, host order. */
unsigned sw_addr_port(const struct sockaddr *sa);

char sw_type_letter(bool v4, int type);

/* "<dir>/T0A0007"; false if it would not fit. */
bool sw_endpoint_path(const struct sw_endpoint *ep, char *out, size_t size);

/* The name in an AF_UNIX address as a C string: a path, or for an
 * abstract address the name after its leading NUL. */
void sw_sun_path(const struct sockaddr_un *sun, socklen_t len, char *out, size_t size);

/* Parses a file name of ours inside the socket directory. */
bool sw_path_endpoint(const char *path, struct sw_endpoint *ep);

/* The fake inet address of an endpoint, in the given socket family (an
 * IPv4 endpoint seen by an AF_INET6 socket is v4-mapped). */
socklen_t sw_endpoint_sockaddr(const struct sw_endpoint *ep, int family,
			       struct sockaddr_storage *out);

/* The address of fake host `iface` (port 0) in `family`. */
socklen_t sw_host_sockaddr(unsigned iface, int family, bool v4,
			   struct sockaddr_storage *out);

/* Copies an address to a caller's buffer as the kernel does: truncated to
 * *len, with *len set to the full size. */
void sw_copy_out(const struct sockaddr_storage *addr, socklen_t addr_len,
		 struct sockaddr *out, socklen_t *out_len);

#endif
