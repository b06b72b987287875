/*
 * The get*id/set*id family as the C library offers it.
 *
 * Reads are lock-free loads from the calling thread's view.  Changes made
 * through these functions apply to every thread (glibc broadcasts them),
 * except setfsuid()/setfsgid(), which glibc makes as a plain per-thread
 * syscall.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "init.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

#define NONE ((unsigned int)-1)

static int change(enum uw_op_kind kind, unsigned int a, unsigned int b, unsigned int c)
{
	struct uw_op op = { .kind = kind, .a = a, .b = b, .c = c };
	int err = uw_change(&op, true, NULL);

	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

CW_EXPORT uid_t getuid(void)
{
	if (!UW_READY())
		return REAL(getuid)();
	return uw_get_uid(UW_R);
}

CW_EXPORT uid_t geteuid(void)
{
	if (!UW_READY() || uw_myuid())
		return REAL(geteuid)();
	return uw_get_uid(UW_E);
}

CW_EXPORT gid_t getgid(void)
{
	if (!UW_READY())
		return REAL(getgid)();
	return uw_get_gid(UW_R);
}

CW_EXPORT gid_t getegid(void)
{
	if (!UW_READY())
		return REAL(getegid)();
	return uw_get_gid(UW_E);
}

CW_EXPORT int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	struct uw_ids ids;

	if (!UW_READY())
		return REAL(getresuid)(r, e, s);
	if (!r || !e || !s) {
		errno = EFAULT;
		return -1;
	}
	uw_read_ids(uw_view(), &ids);
	*r = ids.uid[UW_R];
	*e = ids.uid[UW_E];
	*s = ids.uid[UW_S];
	return 0;
}

CW_EXPORT int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	struct uw_ids ids;

	if (!UW_READY())
		return REAL(getresgid)(r, e, s);
	if (!r || !e || !s) {
		errno = EFAULT;
		return -1;
	}
	uw_read_ids(uw_view(), &ids);
	*r = ids.gid[UW_R];
	*e = ids.gid[UW_E];
	*s = ids.gid[UW_S];
	return 0;
}

CW_EXPORT int setuid(uid_t uid)
{
	if (!UW_READY())
		return REAL(setuid)(uid);
	return change(UW_SETUID, uid, 0, 0);
}

CW_EXPORT int setgid(gid_t gid)
{
	if (!UW_READY())
		return REAL(setgid)(gid);
	return change(UW_SETGID, gid, 0, 0);
}

/* glibc: seteuid(-1) is EINVAL, otherwise setresuid(-1, euid, -1). */
CW_EXPORT int seteuid(uid_t uid)
{
	if (!UW_READY())
		return REAL(seteuid)(uid);
	if (uid == NONE) {
		errno = EINVAL;
		return -1;
	}
	return change(UW_SETRESUID, NONE, uid, NONE);
}

CW_EXPORT int setegid(gid_t gid)
{
	if (!UW_READY())
		return REAL(setegid)(gid);
	if (gid == NONE) {
		errno = EINVAL;
		return -1;
	}
	return change(UW_SETRESGID, NONE, gid, NONE);
}

CW_EXPORT int setreuid(uid_t r, uid_t e)
{
	if (!UW_READY())
		return REAL(setreuid)(r, e);
	return change(UW_SETREUID, r, e, 0);
}

CW_EXPORT int setregid(gid_t r, gid_t e)
{
	if (!UW_READY())
		return REAL(setregid)(r, e);
	return change(UW_SETREGID, r, e, 0);
}

CW_EXPORT int setresuid(uid_t r, uid_t e, uid_t s)
{
	if (!UW_READY())
		return REAL(setresuid)(r, e, s);
	return change(UW_SETRESUID, r, e, s);
}

CW_EXPORT int setresgid(gid_t r, gid_t e, gid_t s)
{
	if (!UW_READY())
		return REAL(setresgid)(r, e, s);
	return change(UW_SETRESGID, r, e, s);
}

CW_EXPORT int setfsuid(uid_t uid)
{
	struct uw_op op = { .kind = UW_SETFSUID, .a = uid };
	unsigned int old;

	if (!UW_READY())
		return REAL(setfsuid)(uid);
	if (uw_change(&op, false, &old) != 0)
		return (int)uw_get_uid(UW_FS);  /* out of memory: nothing changed */
	return (int)old;
}

CW_EXPORT int setfsgid(gid_t gid)
{
	struct uw_op op = { .kind = UW_SETFSGID, .a = gid };
	unsigned int old;

	if (!UW_READY())
		return REAL(setfsgid)(gid);
	if (uw_change(&op, false, &old) != 0)
		return (int)uw_get_gid(UW_FS);
	return (int)old;
}

CW_EXPORT int getgroups(int size, gid_t list[])
{
	if (!UW_READY())
		return REAL(getgroups)(size, list);
	return uw_read_groups(size, list);
}

CW_EXPORT int __getgroups_chk(int size, gid_t *list, size_t listlen)
{
	if (!UW_READY() || (size > 0 && (size_t)size > listlen / sizeof(gid_t)))
		return REAL(__getgroups_chk)(size, list, listlen); /* aborts on overflow */
	return uw_read_groups(size, list);
}

static int do_setgroups(size_t n, const gid_t *list)
{
	/* The kernel takes an int and refuses anything above NGROUPS_MAX. */
	struct uw_op op = { .kind = UW_SETGROUPS, .list = list,
			    .n = n > NGROUPS_MAX ? NGROUPS_MAX + 1 : (long)n };
	int err = uw_change(&op, true, NULL);

	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

CW_EXPORT int setgroups(size_t n, const gid_t *list)
{
	if (!UW_READY())
		return REAL(setgroups)(n, list);
	return do_setgroups(n, list);
}

/*
 * initgroups(): the groups come from getgrouplist(), reached through the
 * normal symbol lookup so that the NSS shim, when loaded, answers; the
 * change is our setgroups(), with its permission rule.  Like glibc, at
 * most NGROUPS_MAX groups are kept.
 */
CW_EXPORT int initgroups(const char *user, gid_t group)
{
	int n = 64, want, rc, saved;
	gid_t *list = NULL;

	if (!UW_READY())
		return REAL(initgroups)(user, group);
	for (;;) {
		gid_t *bigger = realloc(list, (size_t)n * sizeof(gid_t));

		if (bigger == NULL) {
			free(list);
			errno = ENOMEM;
			return -1;
		}
		list = bigger;
		want = n;
		if (getgrouplist(user, group, list, &want) >= 0) {
			n = want;
			break;
		}
		if (n == NGROUPS_MAX)
			break;
		n = want > n ? want : n * 2;
		if (n > NGROUPS_MAX)
			n = NGROUPS_MAX;
	}
	rc = do_setgroups((size_t)n, list);
	saved = errno;
	free(list);
	errno = saved;
	return rc;
}
