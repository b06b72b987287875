/*
 * Linux's permission rules for changing credentials (credentials(7),
 * setresuid(2), setreuid(2), setuid(2), setfsuid(2)), applied to fake ids.
 *
 * Capabilities follow the ids as they do for a process without
 * securebits or file capabilities: CAP_SETUID and CAP_SETGID are in the
 * effective set exactly when the effective uid is 0.  Gid changes are
 * therefore keyed on the euid, not the egid.
 */
#include <errno.h>

#include "uw.h"

#define NONE ((unsigned int)-1)

static bool privileged(const struct uw_ids *ids)
{
	return ids->uid[UW_E] == 0;
}

/* setuid(2)/setgid(2) on one family of ids (v[4] = r, e, s, fs). */
static int set_one(unsigned int *v, unsigned int id, bool cap)
{
	if (id == NONE)
		return EINVAL;
	if (cap) {
		v[UW_R] = v[UW_S] = id;
	} else if (id != v[UW_R] && id != v[UW_S]) {
		return EPERM;
	}
	v[UW_E] = v[UW_FS] = id;
	return 0;
}

/* setreuid(2): the saved id follows the effective one when the real id is
 * set, or the effective id is set to something other than the old real id. */
static int set_re(unsigned int *v, unsigned int r, unsigned int e, bool cap)
{
	unsigned int old[4] = { v[0], v[1], v[2], v[3] };

	if (r != NONE && !cap && r != old[UW_R] && r != old[UW_E])
		return EPERM;
	if (e != NONE && !cap && e != old[UW_R] && e != old[UW_E] && e != old[UW_S])
		return EPERM;
	if (r != NONE)
		v[UW_R] = r;
	if (e != NONE)
		v[UW_E] = e;
	if (r != NONE || (e != NONE && e != old[UW_R]))
		v[UW_S] = v[UW_E];
	v[UW_FS] = v[UW_E];
	return 0;
}

static bool is_current(const unsigned int *v, unsigned int id)
{
	return id == v[UW_R] || id == v[UW_E] || id == v[UW_S];
}

/* setresuid(2): each id may be set to any of the three current ones. */
static int set_res(unsigned int *v, unsigned int r, unsigned int e,
		   unsigned int s, bool cap)
{
	/* Nothing changes (and fs already follows e): the kernel returns
	 * early, leaving a diverging fs id alone. */
	if ((r == NONE || r == v[UW_R]) &&
	    (e == NONE || (e == v[UW_E] && e == v[UW_FS])) &&
	    (s == NONE || s == v[UW_S]))
		return 0;
	if (!cap && ((r != NONE && !is_current(v, r)) ||
		     (e != NONE && !is_current(v, e)) ||
		     (s != NONE && !is_current(v, s))))
		return EPERM;
	if (r != NONE)
		v[UW_R] = r;
	if (e != NONE)
		v[UW_E] = e;
	if (s != NONE)
		v[UW_S] = s;
	v[UW_FS] = v[UW_E];
	return 0;
}

/* setfsuid(2): never fails; an id nobody may take is silently refused. */
static void set_fs(unsigned int *v, unsigned int id, bool cap, unsigned int *old)
{
	*old = v[UW_FS];
	if (id == NONE)
		return;
	if (cap || is_current(v, id) || id == v[UW_FS])
		v[UW_FS] = id;
}

/*
 * Readers copy the list without the lock (seqlock, creds.c) with relaxed
 * atomic loads, so the writer's stores are relaxed atomics too: the same
 * code on x86, and no data race in C11's terms (ThreadSanitizer agrees).
 */
#define G_LOAD(i) __atomic_load_n(&g[i], __ATOMIC_RELAXED)
#define G_STORE(i, v) __atomic_store_n(&g[i], (v), __ATOMIC_RELAXED)

static void sort_groups(gid_t *g, long n)
{
	/* Heapsort: in place, no allocation, O(n log n) for 65536 groups. */
	for (long start = n / 2 - 1, end = n; end > 1;) {
		long root;

		if (start >= 0) {
			root = start--;
		} else {
			gid_t t = G_LOAD(0);

			--end;
			G_STORE(0, G_LOAD(end));
			G_STORE(end, t);
			root = 0;
		}
		for (long child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && G_LOAD(child + 1) > G_LOAD(child))
				child++;
			if (G_LOAD(root) >= G_LOAD(child))
				break;
			gid_t t = G_LOAD(root);

			G_STORE(root, G_LOAD(child));
			G_STORE(child, t);
		}
	}
}

int uw_rule(const struct uw_op *op, struct uw_ids *ids, unsigned int *fs_old)
{
	struct uw_ids next = *ids;
	bool cap = privileged(ids);
	unsigned int dummy;
	int err = 0;

	if (fs_old == NULL)
		fs_old = &dummy;
	switch (op->kind) {
	case UW_SETUID:
		err = set_one(next.uid, op->a, cap);
		break;
	case UW_SETGID:
		err = set_one(next.gid, op->a, cap);
		break;
	case UW_SETREUID:
		err = set_re(next.uid, op->a, op->b, cap);
		break;
	case UW_SETREGID:
		err = set_re(next.gid, op->a, op->b, cap);
		break;
	case UW_SETRESUID:
		err = set_res(next.uid, op->a, op->b, op->c, cap);
		break;
	case UW_SETRESGID:
		err = set_res(next.gid, op->a, op->b, op->c, cap);
		break;
	case UW_SETFSUID:
		set_fs(next.uid, op->a, cap, fs_old);
		break;
	case UW_SETFSGID:
		set_fs(next.gid, op->a, cap, fs_old);
		break;
	case UW_SETGROUPS:
		/* The kernel checks the capability before the size. */
		if (!cap)
			err = EPERM;
		else if (op->n < 0 || op->n > NGROUPS_MAX)
			err = EINVAL;
		else if (op->n > 0 && op->list == NULL)
			err = EFAULT;
		break;
	}
	if (err == 0)
		*ids = next;
	return err;
}

void uw_groups_store(struct uw_rec *r, long n, const gid_t *list)
{
	for (long i = 0; i < n; i++)
		__atomic_store_n(&r->groups[i], list[i], __ATOMIC_RELAXED);
	sort_groups(r->groups, n);
	__atomic_store_n(&r->ngroups, (int)n, __ATOMIC_RELAXED);
}
