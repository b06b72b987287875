/*
 * A real NSS module answering after the files: NSS_WRAPPER_MODULE_SO_PATH
 * is dlopen()ed once and its _nss_<NSS_WRAPPER_MODULE_FN_PREFIX>_<fn>
 * functions are used.  RTLD_DEEPBIND keeps the module's own calls
 * (to getpwnam, say) from coming back into the shim; set
 * NSS_WRAPPER_DISABLE_DEEPBIND=1 where it cannot be used (sanitizers).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "log.h"
#include "nw.h"

struct cw_mutex nw_module_lock = CW_MUTEX_INIT;
static struct nw_module nw_mod;
static _Atomic int nw_mod_state;        /* 0 not tried, 1 loaded, 2 none */

static void *nw_sym(void *h, const char *prefix, const char *fn)
{
	char name[256];

	snprintf(name, sizeof(name), "_nss_%s_%s", prefix, fn);
	return dlsym(h, name);
}

static void nw_module_load(void)
{
	const char *path = getenv("NSS_WRAPPER_MODULE_SO_PATH");
	const char *prefix = getenv("NSS_WRAPPER_MODULE_FN_PREFIX");
	int flags = RTLD_NOW | RTLD_LOCAL;
	void *h;

	if (path == NULL || *path == '\0' || prefix == NULL || *prefix == '\0' ||
	    cw_secure_exec()) {
		atomic_store(&nw_mod_state, 2);
		return;
	}
	if (!cw_env_switch("NSS_WRAPPER_DISABLE_DEEPBIND"))
		flags |= RTLD_DEEPBIND;
	h = dlopen(path, flags);
	if (h == NULL) {
		cw_log(CW_ERROR, "NSS_WRAPPER_MODULE_SO_PATH=%s: %s; no module is used",
		       path, dlerror());
		atomic_store(&nw_mod_state, 2);
		return;
	}
#define BIND(fn) nw_mod.fn = nw_sym(h, prefix, #fn)
#define BIND_ENUM(ent) nw_mod.ent.set = nw_sym(h, prefix, "set" #ent); \
	nw_mod.ent.get = nw_sym(h, prefix, "get" #ent "_r");                 \
	nw_mod.ent.end = nw_sym(h, prefix, "end" #ent)
	nw_mod.pw.byname = nw_sym(h, prefix, "getpwnam_r");
	nw_mod.pw.byid = nw_sym(h, prefix, "getpwuid_r");
	nw_mod.gr.byname = nw_sym(h, prefix, "getgrnam_r");
	nw_mod.gr.byid = nw_sym(h, prefix, "getgrgid_r");
	BIND_ENUM(pwent);
	BIND_ENUM(grent);
	BIND(initgroups_dyn); BIND(gethostbyname2_r); BIND(gethostbyaddr_r);
#undef BIND_ENUM
#undef BIND
	if (nw_mod.pw.byname == NULL && nw_mod.gr.byname == NULL &&
	    nw_mod.gethostbyname2_r == NULL)
		cw_log(CW_ERROR, "%s has no _nss_%s_* functions "
		       "(NSS_WRAPPER_MODULE_FN_PREFIX=%s)", path, prefix, prefix);
	CW_LOG(CW_DEBUG, "loaded NSS module %s (prefix %s)", path, prefix);
	atomic_store(&nw_mod_state, 1);
}

const struct nw_module *nw_module(void)
{
	int state = atomic_load(&nw_mod_state);

	if (state == 0) {
		cw_lock(&nw_module_lock);
		if (atomic_load(&nw_mod_state) == 0)
			nw_module_load();
		cw_unlock(&nw_module_lock);
		state = atomic_load(&nw_mod_state);
	}
	return state == 1 ? &nw_mod : NULL;
}

const struct nw_module_keyed *nw_module_pw(void)
{
	const struct nw_module *m = nw_module();

	return m ? &m->pw : NULL;
}

const struct nw_module_keyed *nw_module_gr(void)
{
	const struct nw_module *m = nw_module();

	return m ? &m->gr : NULL;
}

const struct nw_module_enum *nw_module_pwent(void)
{
	const struct nw_module *m = nw_module();

	return m ? &m->pwent : NULL;
}

const struct nw_module_enum *nw_module_grent(void)
{
	const struct nw_module *m = nw_module();

	return m ? &m->grent : NULL;
}

int nw_status_rc(enum nss_status st, int err)
{
	if (st == NSS_STATUS_SUCCESS)
		return 0;
	if (st == NSS_STATUS_TRYAGAIN)
		return err ? err : EAGAIN;
	return ENOENT;
}
