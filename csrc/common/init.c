#include <pthread.h>
#include <stdatomic.h>

#include "init.h"
#include "lock.h"
#include "log.h"
#include "real.h"
#include "version.h"

static pthread_once_t cw_once = PTHREAD_ONCE_INIT;
static _Atomic bool cw_done;
static void (*cw_pending_init)(void);

static void cw_run_init(void)
{
	cw_real_bind_all();
	CW_LOG(CW_DEBUG, "cwrap-suite %s", cw_version);
	cw_lock_install_fork_handlers();
	if (cw_pending_init)
		cw_pending_init();
	atomic_store_explicit(&cw_done, true, memory_order_release);
}

void cw_init(void (*shim_init)(void))
{
	if (atomic_load_explicit(&cw_done, memory_order_acquire))
		return;
	cw_pending_init = shim_init;
	pthread_once(&cw_once, cw_run_init);
}

bool cw_initialised(void)
{
	return atomic_load_explicit(&cw_done, memory_order_acquire);
}
