/*
 * The UID shim's identity, start-up and detection helpers.
 */
#include <pthread.h>
#include <stdbool.h>

#include "env.h"
#include "init.h"
#include "shim.h"
#include "version.h"

#define CW_SYMBOLS "symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

static struct cw_mutex *const uw_locks[] = { NULL };

const struct cw_shim cw_shim = {
	.name = "uid",
	.env_prefix = "UID_WRAPPER",
	.locks = uw_locks,
};

static bool uw_enabled;

static void uw_init(void)
{
	uw_enabled = !cw_secure_exec() && cw_env_switch("UID_WRAPPER");
}

__attribute__((constructor)) static void uw_constructor(void)
{
	cw_init(uw_init);
}

/* Upstream's meaning: UID_WRAPPER=1, so ids are faked. */
CW_EXPORT bool uid_wrapper_enabled(void)
{
	cw_init(uw_init);
	return uw_enabled;
}

CW_EXPORT const char *cwrap_uid_version(void)
{
	return cw_version;
}
