/*
 * The NSS shim's identity, start-up and detection helpers.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "env.h"
#include "init.h"
#include "shim.h"
#include "version.h"

#define CW_SYMBOLS "symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

static struct cw_mutex *const nw_locks[] = { NULL };

const struct cw_shim cw_shim = {
	.name = "nss",
	.env_prefix = "NSS_WRAPPER",
	.locks = nw_locks,
};

static void nw_init(void)
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
