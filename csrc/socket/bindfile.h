/*
 * Giving an emulated socket its address: binding the AF_UNIX socket to the
 * endpoint's file, with the kernel's EADDRINUSE, reclaiming files left by
 * dead processes, and picking ephemeral ports.
 */
#ifndef SW_BINDFILE_H
#define SW_BINDFILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "addr.h"
#include "sock.h"

/* Binds fd to ep's file; 0, or -1 with EADDRINUSE when a live socket has
 * it.  On success the sock records the path and that this process made it. */
int sw_bind_endpoint(struct sw_sock *sock, int fd, const struct sw_endpoint *ep);

/*
 * Dual stack: an IPv6 socket bound to [::] without IPV6_V6ONLY is also
 * reached by IPv4 clients, as on Linux.  Its IPv4 name (T.../U...) is a
 * symlink to its IPv6 file.  sw_dual_check before binding (EADDRINUSE when
 * a live IPv4 socket has the address), sw_dual_alias after.
 */
int sw_dual_check(const struct sw_endpoint *v4ep);
void sw_dual_alias(struct sw_sock *sock, const struct sw_endpoint *v4ep);

/* Binds to a free ephemeral port (32768-60999) of fake host iface. */
int sw_bind_ephemeral(struct sw_sock *sock, int fd, unsigned iface, bool v4);

/* Autobind before connect/sendto/listen: the default host, an ephemeral
 * port; records the local address.  No-op when already bound.  `abstract`
 * names the socket in the abstract namespace instead of with a file. */
int sw_autobind(struct sw_sock *sock, int fd, bool v4, bool abstract);

/* Marks a listener's file as one of ours (sticky bit, owner-only): our
 * clients then name themselves without files (see connect.c). */
void sw_mark_listener(const struct sw_sock *sock);

/* Is the listener at path one of ours?  (false if it has no file) */
bool sw_listener_is_ours(const char *path, bool *exists);

/* A sockaddr_un for path (a file), or for the abstract name "\0path". */
socklen_t sw_unix_addr(const char *path, struct sockaddr_un *sun);
socklen_t sw_unix_abstract(const char *path, struct sockaddr_un *sun);

/* Does a /proc/net/unix listing (read through `reader` until it returns
 * 0 or less) have a socket bound to path?  Pure: fuzz/ calls it. */
typedef ssize_t (*sw_reader_fn)(void *ctx, char *buf, size_t len);
bool sw_unix_lists_path(sw_reader_fn reader, void *ctx, const char *path);

#endif
