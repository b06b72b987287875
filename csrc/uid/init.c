/*
 * The UID shim's identity, configuration and start-up.
 *
 * The first ids come from, in order: the hand-off a wrapped parent left
 * in UID_WRAPPER_HANDOFF (identity across exec), UID_WRAPPER_INITIAL_UID /
 * _GID / _GROUPS, UID_WRAPPER_ROOT=1 (uid 0, gid 0, groups [0]), and
 * otherwise the process's real ids and groups.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "init.h"
#include "log.h"
#include "shim.h"
#include "uw.h"
#include "version.h"

#define CW_SYMBOLS "symbols.def"
#define CW_EAGER_SYMBOLS "symbols.def"   /* lazy_symbols.def holds the rest */
#define CW_REAL_DEFINE
#include "real_table.h"
#include "lazy.h"

#define CW_SYM(n) struct cw_real_sym cw_real_##n = { #n, NULL };
#include "lazy_symbols.def"
#undef CW_SYM

static struct cw_mutex *const uw_locks[] = { &uw_mutex, NULL };

const struct cw_shim cw_shim = {
	.name = "uid",
	.env_prefix = "UID_WRAPPER",
	.locks = uw_locks,
};

bool uw_enabled;
static bool uw_chroot_on = true;

/* Read at every call, as upstream does: a program may set it at run time. */
bool uw_myuid(void)
{
	static _Atomic int said;
	const char *v = getenv("UID_WRAPPER_MYUID");

	if (v == NULL || v[0] == '\0')
		return false;
	if (v[0] == '1' && v[1] == '\0')
		return true;
	if (!(v[0] == '0' && v[1] == '\0') && !atomic_exchange(&said, 1))
		cw_log(CW_ERROR, "UID_WRAPPER_MYUID=\"%s\" is not valid: expected "
		       "1 (on) or 0 (off); treating it as off", v);
	return false;
}

bool uw_chroot_noop(void)
{
	return uw_chroot_on;
}

static bool read_chroot_switch(void)
{
	const char *v = getenv("UID_WRAPPER_CHROOT");

	if (v == NULL || *v == '\0' || strcmp(v, "1") == 0)
		return true;
	if (strcmp(v, "0") == 0)
		return false;
	cw_log(CW_ERROR, "UID_WRAPPER_CHROOT=\"%s\" is not valid: expected 1 "
	       "(a fake root's chroot() succeeds without effect) or 0 (pass "
	       "chroot() to the kernel); passing it to the kernel", v);
	return false;
}

/* Room for the groups of a list written "a,b,c" (at most NGROUPS_MAX). */
static gid_t *room_for_list(const char *text)
{
	long n = 1;

	for (; *text; text++)
		n += *text == ',';
	return uw_groups_reserve(&uw_proc, n > NGROUPS_MAX ? NGROUPS_MAX : n)
		? uw_proc.groups : NULL;
}

/*
 * Init runs once, before any reader is let through (cw_init), so the
 * groups are written straight into the process record.
 */
static void initial_state(void)
{
	struct uw_ids ids;
	unsigned long v;
	int n = 0;
	const char *text;
	gid_t *groups = uw_proc.groups;

	text = getenv(UW_HANDOFF_VAR);
	if (text && *text && (groups = room_for_list(text)) != NULL &&
	    uw_handoff_parse(text, &ids, &n, groups)) {
		uw_state_set_initial(&ids, n, groups);
		return;
	}
	groups = uw_proc.groups;
	if (cw_env_switch("UID_WRAPPER_ROOT")) {
		memset(&ids, 0, sizeof(ids));
		groups[0] = 0;
		n = 1;
	} else {
		REAL(getresuid)(&ids.uid[UW_R], &ids.uid[UW_E], &ids.uid[UW_S]);
		REAL(getresgid)(&ids.gid[UW_R], &ids.gid[UW_E], &ids.gid[UW_S]);
		ids.uid[UW_FS] = ids.uid[UW_E];
		ids.gid[UW_FS] = ids.gid[UW_E];
		n = REAL(getgroups)(0, NULL);
		if (n > UW_INLINE_GROUPS && uw_groups_reserve(&uw_proc, n))
			groups = uw_proc.groups;
		n = REAL(getgroups)(groups == uw_proc.small ? UW_INLINE_GROUPS : NGROUPS_MAX,
				    groups);
		if (n < 0)
			n = 0;
	}
	if (cw_env_ulong("UID_WRAPPER_INITIAL_UID", 0, 4294967294UL, &v) == CW_ENV_OK)
		ids.uid[0] = ids.uid[1] = ids.uid[2] = ids.uid[3] = (uid_t)v;
	if (cw_env_ulong("UID_WRAPPER_INITIAL_GID", 0, 4294967294UL, &v) == CW_ENV_OK) {
		ids.gid[0] = ids.gid[1] = ids.gid[2] = ids.gid[3] = (gid_t)v;
		groups[0] = (gid_t)v;
		n = 1;
	}
	text = getenv("UID_WRAPPER_INITIAL_GROUPS");
	if (text && strcmp(text, "-") == 0) {
		n = 0;          /* no supplementary groups at all */
	} else if (text && *text) {
		static gid_t check[1];
		int m;

		/* Validate first (into nowhere), then fill the record. */
		if (uw_parse_groups(text, &m, check, 1) && (groups = room_for_list(text)) != NULL) {
			uw_parse_groups(text, &m, groups, NGROUPS_MAX);
			n = m;
		} else {
			groups = uw_proc.groups;
			cw_log(CW_ERROR, "UID_WRAPPER_INITIAL_GROUPS=\"%s\" is not "
			       "valid: expected group ids (0 to 4294967294) "
			       "separated by commas, at most %d, or - for none; keeping the "
			       "groups the process has", text, NGROUPS_MAX);
		}
	}
	uw_state_set_initial(&ids, n, groups);
}

void uw_init(void)
{
	uw_enabled = !cw_secure_exec() && cw_env_switch("UID_WRAPPER");
	if (!uw_enabled)
		return;
	/* Accepted for upstream compatibility; this shim never uses
	 * RTLD_DEEPBIND, so only the value is checked. */
	(void)cw_env_switch("UID_WRAPPER_DISABLE_DEEPBIND");
	uw_chroot_on = read_chroot_switch();
	initial_state();
	uw_handoff_publish(&uw_proc);
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
