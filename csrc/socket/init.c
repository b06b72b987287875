/*
 * The socket shim's identity, start-up and detection helpers.
 */
#include <stdbool.h>

#include "config.h"
#include "init.h"
#include "shim.h"
#include "version.h"

#define CW_SYMBOLS "symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

static struct cw_mutex *const sw_locks[] = { NULL };

const struct cw_shim cw_shim = {
	.name = "socket",
	.env_prefix = "SOCKET_WRAPPER",
	.locks = sw_locks,
};

static void sw_init(void)
{
	(void)sw_config();
}

__attribute__((constructor)) static void sw_constructor(void)
{
	cw_init(sw_init);
}

/* Upstream's meaning: the shim is loaded and SOCKET_WRAPPER_DIR is usable. */
CW_EXPORT bool socket_wrapper_enabled(void)
{
	cw_init(sw_init);
	return sw_config()->state == SW_ON;
}

/*
 * Upstream's meaning: fd was closed behind the shim's back (a raw syscall,
 * say) and must be forgotten.  Without inet state yet, nothing is kept.
 */
CW_EXPORT void socket_wrapper_indicate_no_inet_fd(int fd)
{
	(void)fd;
	cw_init(sw_init);
}

CW_EXPORT const char *cwrap_socket_version(void)
{
	return cw_version;
}
