/*
 * The socket shim's configuration, read once from SOCKET_WRAPPER_*.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

/* A socket file name is "<dir>/" plus 7 characters (T0A0007). */
#define SW_NAME_LEN 7
#define SW_SUN_PATH (sizeof(((struct sockaddr_un *)0)->sun_path))
#define SW_DIR_MAX (SW_SUN_PATH - 1 - 1 - SW_NAME_LEN)
#define SW_MAX_IFACE 64

enum sw_state {
	SW_OFF,      /* SOCKET_WRAPPER_DIR unset or empty: pass everything through */
	SW_ON,       /* configured and usable */
	SW_BROKEN,   /* set but unusable: inet sockets fail, never the real network */
};

struct sw_config {
	enum sw_state state;
	char dir[SW_DIR_MAX + 1];
	uid_t dir_uid;              /* its owner: socket files must be theirs */
	uint32_t ipv4_net;          /* host order: 127.0.0.0 or 10.53.57.0 */
	unsigned long mtu;
	unsigned long max_sockets;
};

/* The configuration, read on first use. */
const struct sw_config *sw_config(void);

/* SOCKET_WRAPPER_DEFAULT_IFACE, read at each use (tests change it). */
unsigned sw_default_iface(void);

#endif
