/* A stand-in shim for the harnesses that link the common objects
 * (logging and env parsing need a cw_shim and the real-function slots). */
#include <stddef.h>

#include "lock.h"
#include "shim.h"

#define CW_SYMBOLS "empty_symbols.def"
#define CW_REAL_DEFINE
#include "real_table.h"

static struct cw_mutex *const fuzz_locks[] = { NULL };

const struct cw_shim cw_shim = {
	.name = "fuzz",
	.env_prefix = "CWFUZZ",
	.locks = fuzz_locks,
};
