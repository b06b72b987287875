/*
 * The socket shim's configuration, read once from SOCKET_WRAPPER_*.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <sys/un.h>

/* A socket file name is "<dir>/" plus 7 characters (T0A0007). */
#define SW_NAME_LEN 7
#define SW_DIR_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1 - 1 - SW_NAME_LEN)

enum sw_state {
	SW_OFF,      /* SOCKET_WRAPPER_DIR unset or empty: pass everything through */
	SW_ON,       /* configured and usable */
	SW_BROKEN,   /* set but unusable: inet sockets fail, never the real network */
};

struct sw_config {
	enum sw_state state;
	char dir[SW_DIR_MAX + 1];
};

/* The configuration, read on first use. */
const struct sw_config *sw_config(void);

#endif
