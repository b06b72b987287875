/*
 * The interfaces a process on the fake network sees: exactly one, its own
 * fake host X, named "cwrapX" with index X (the index IP_PKTINFO reports),
 * carrying 127.0.0.X/8 (or 10.53.57.X/8) and fd00::5357:5fXX/64.  The
 * host's real interfaces are not shown: they are not reachable from here.
 */
#ifndef SW_IFACES_H
#define SW_IFACES_H

#include <stdbool.h>
#include <stddef.h>

/* "cwrapX" for this process's host; false when the shim is off. */
bool sw_iface_name(char *out, size_t size, unsigned *index);

#endif
