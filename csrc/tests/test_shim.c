/* A stand-in shim so the common objects can be tested on their own. */
#include <stddef.h>

#include "lock.h"
#include "shim.h"

#define CW_SYMBOLS "test_symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

struct cw_mutex test_lock = CW_MUTEX_INIT;
static struct cw_mutex *const test_locks[] = { &test_lock, NULL };

const struct cw_shim cw_shim = {
	.name = "test",
	.env_prefix = "CWTEST",
	.locks = test_locks,
};
