/*
 * The NSS shim's identity, start-up and detection helpers.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "env.h"
#include "init.h"
#include "shim.h"
#include "version.h"

#define CW_REAL_DEFINE
#include "nw.h"

/*
 * Taken around fork() in this order, which is the order in which the
 * shim nests them: an enumeration cursor, then the module or the lazy
 * indexes, then a file's snapshot, then the inotify watch.
 */
static struct cw_mutex *const nw_locks[] = {
	&nw_pwent.lock, &nw_grent.lock, &nw_spent.lock, &nw_hostent.lock,
	&nw_module_lock, &nw_index_lock,
	&nw_passwd_source.lock, &nw_group_source.lock, &nw_shadow_source.lock,
	&nw_hosts_source.lock, &nw_watch_lock,
	NULL
};

const struct cw_shim cw_shim = {
	.name = "nss",
	.env_prefix = "NSS_WRAPPER",
	.locks = nw_locks,
};

void nw_init(void);

void nw_init(void)
{
}

__attribute__((constructor)) static void nw_constructor(void)
{
	cw_init(nw_init);
}

static bool nw_set(const char *var)
{
	const char *value = getenv(var);

	return !cw_secure_exec() && value != NULL && *value != '\0';
}

/*
 * Upstream's meaning: users and groups are answered by the shim, from the
 * passwd and group files (both are needed) or from an NSS module.
 */
CW_EXPORT bool nss_wrapper_enabled(void)
{
	cw_init(nw_init);
	return (nw_set("NSS_WRAPPER_PASSWD") && nw_set("NSS_WRAPPER_GROUP")) ||
	       (nw_set("NSS_WRAPPER_MODULE_SO_PATH") &&
		nw_set("NSS_WRAPPER_MODULE_FN_PREFIX"));
}

bool nw_users_enabled(void)
{
	return (nw_set("NSS_WRAPPER_PASSWD") && nw_set("NSS_WRAPPER_GROUP")) ||
	       nw_module() != NULL;
}

bool nw_hosts_enabled(void)
{
	return nw_set("NSS_WRAPPER_HOSTS");
}

bool nw_shadow_enabled(void)
{
	return nw_set("NSS_WRAPPER_SHADOW");
}

/* The start of each wrapper: set up, then whether the shim answers. */
bool nw_users_on(void)
{
	cw_init(nw_init);
	return nw_users_enabled();
}

bool nw_hosts_on(void)
{
	cw_init(nw_init);
	return nw_hosts_enabled();
}

bool nw_shadow_on(void)
{
	cw_init(nw_init);
	return nw_shadow_enabled();
}

/*
 * NSS_WRAPPER_HOSTS_FALLBACK=1 lets names (and addresses) missing from the
 * hosts file go to the system's resolver; unset or 0, they are unknown.
 */
bool nw_hosts_fallback(void)
{
	static _Atomic int cached = -1;
	int v = atomic_load_explicit(&cached, memory_order_relaxed);

	if (v < 0) {
		v = cw_env_switch("NSS_WRAPPER_HOSTS_FALLBACK") ? 1 : 0;
		atomic_store_explicit(&cached, v, memory_order_relaxed);
	}
	return v == 1;
}

CW_EXPORT bool nss_wrapper_hosts_enabled(void)
{
	cw_init(nw_init);
	return nw_set("NSS_WRAPPER_HOSTS");
}

CW_EXPORT bool nss_wrapper_shadow_enabled(void)
{
	cw_init(nw_init);
	return nw_set("NSS_WRAPPER_SHADOW");
}

CW_EXPORT const char *cwrap_nss_version(void)
{
	return cw_version;
}
