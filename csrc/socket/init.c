/*
 * The socket shim's identity, start-up and detection helpers.
 */
#include <stdbool.h>

#include "calls.h"
#include "pcap.h"
#include "socket_lock.h"
#include "version.h"

#define CW_EAGER_SYMBOLS "eager_symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

struct cw_mutex sw_pool_lock = CW_MUTEX_INIT;
struct cw_mutex sw_table_lock = CW_MUTEX_INIT;
struct cw_mutex sw_refuser_lock = CW_MUTEX_INIT;

static struct cw_mutex *const sw_locks[] = {
	&sw_table_lock, &sw_refuser_lock, &sw_pool_lock, NULL
};

const struct cw_shim cw_shim = {
	.name = "socket",
	.env_prefix = "SOCKET_WRAPPER",
	.locks = sw_locks,
};

void sw_init(void)
{
	/* After cw_init's handlers for sw_locks (registered first, run first
	 * in the child). */
	pthread_atfork(NULL, NULL, sw_sock_fork_child);
	pthread_atfork(NULL, NULL, sw_conns_fork_child);
	(void)sw_config();
	sw_pcap_init();
}

__attribute__((constructor)) static void sw_constructor(void)
{
	cw_init(sw_init);
	if (sw_pcap_on && sw_config()->state == SW_ON)
		sw_adopt_inherited();
}

/* Upstream's meaning: the shim is loaded and SOCKET_WRAPPER_DIR is usable. */
CW_EXPORT bool socket_wrapper_enabled(void)
{
	return sw_state() == SW_ON;
}

/* Upstream's meaning: fd was closed behind the shim's back (a raw syscall,
 * say) and must be forgotten. */
CW_EXPORT void socket_wrapper_indicate_no_inet_fd(int fd)
{
	sw_fd_clear(fd);
}

CW_EXPORT const char *cwrap_socket_version(void)
{
	return cw_version;
}
