/*
 * Groups: getgrnam, getgrgid, getgrent and their _r forms, getgrouplist
 * and initgroups, from NSS_WRAPPER_GROUP (group(5)), then the module.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nw.h"
#include "shim.h"

struct nw_gr_table {
	struct nw_table base;
	struct nw_pool members;         /* every gr_mem array */
	struct nw_index by_member;
};

static const struct nw_layout nw_gr_layout = NW_LAYOUT(struct group, gr_name, gr_gid);

static bool nw_gr_more(struct nw_table *base)
{
	struct nw_gr_table *t = (struct nw_gr_table *)base;

	/* The pool holds every member and a NULL per group. */
	if (!nw_index_init(&t->by_member, t->members.n - base->count, base->arena))
		return false;
	for (size_t i = 0; i < base->count; i++) {
		const struct group *gr = nw_rec(base, i);

		for (char **mp = gr->gr_mem; *mp; mp++)
			if (!nw_index_add(&t->by_member, nw_hash_str(*mp), (uint32_t)i))
				return false;
	}
	nw_index_finish(&t->by_member);
	return nw_table_index_ids(base);
}

static enum nw_parsed nw_gr_parse(char *line, void *rec, void *ctx)
{
	struct nw_gr_table *t = ctx;
	struct group *gr = rec;
	size_t start;

	if (!nw_parse_group_head(&line, gr))
		return NW_REFUSED;
	if (!nw_pool_list(t->base.arena, &t->members, &line, ',', &start))
		return NW_NOMEM;
	/* gr_mem holds the offset of its list until the pool stops moving. */
	gr->gr_mem = (char **)(uintptr_t)start;
	return NW_PARSED;
}

static struct nw_table *nw_gr_build(struct nw_arena *a, char *text, size_t len,
				    const char *path)
{
	struct nw_gr_table *t;
	struct nw_table *base = nw_table_new(sizeof(*t), a, text, len, path, &nw_gr_layout);

	if (base == NULL)
		return NULL;
	t = (struct nw_gr_table *)base;
	base->build_more = nw_gr_more;
	if (!nw_table_parse(base, len, nw_gr_parse, t, "not a group(5) entry"))
		return nw_table_fail(base);
	for (size_t i = 0; i < base->count; i++) {
		struct group *gr = nw_rec(base, i);

		gr->gr_mem = t->members.v + (uintptr_t)gr->gr_mem;
	}
	if (!nw_table_index_names(base))
		return nw_table_fail(base);
	return base;
}

struct nw_source nw_group_source = NW_SOURCE("GROUP", nw_gr_build);

static const struct nw_db nw_gr_db = {
	&nw_group_source, nw_copy_group, nw_module_gr, NW_TLS_GR
};

CW_EXPORT int getgrnam_r(const char *name, struct group *grp, char *buf, size_t len,
			 struct group **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getgrnam_r)(name, grp, buf, len, result);
	*result = nw_db_r(&nw_gr_db, &(struct nw_key){ name, 0 }, grp, buf, len, &rc);
	return rc;
}

CW_EXPORT int getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t len,
			 struct group **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getgrgid_r)(gid, grp, buf, len, result);
	*result = nw_db_r(&nw_gr_db, &(struct nw_key){ NULL, gid }, grp, buf, len, &rc);
	return rc;
}

/* The plain calls share per-thread storage, as glibc's share static storage. */
static _Thread_local struct group nw_gr;

CW_EXPORT struct group *getgrnam(const char *name)
{
	if (!nw_users_on())
		return REAL(getgrnam)(name);
	return nw_db_static(&nw_gr_db, &(struct nw_key){ name, 0 }, &nw_gr);
}

CW_EXPORT struct group *getgrgid(gid_t gid)
{
	if (!nw_users_on())
		return REAL(getgrgid)(gid);
	return nw_db_static(&nw_gr_db, &(struct nw_key){ NULL, gid }, &nw_gr);
}

/* ---- enumeration: the file in order, then the module ---------------- */

struct nw_cursor nw_grent = NW_CURSOR(nw_group_source, nw_copy_group, nw_module_grent);

CW_EXPORT void setgrent(void)
{
	if (nw_users_on())
		nw_cursor_rewind(&nw_grent);
	else
		REAL(setgrent)();
}

CW_EXPORT void endgrent(void)
{
	if (nw_users_on())
		nw_cursor_rewind(&nw_grent);
	else
		REAL(endgrent)();
}

CW_EXPORT int getgrent_r(struct group *grp, char *buf, size_t len, struct group **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getgrent_r)(grp, buf, len, result);
	rc = nw_cursor_get_r(&nw_grent, grp, buf, len);
	*result = rc == 0 ? grp : NULL;
	return rc;
}

CW_EXPORT struct group *getgrent(void)
{
	static struct group gr;

	if (!nw_users_on())
		return REAL(getgrent)();
	return nw_cursor_get(&nw_grent, &gr) == 0 ? &gr : NULL;
}

/* ---- membership ----------------------------------------------------- */

struct nw_gid_list {
	gid_t *v;
	size_t n, cap;
};

static bool nw_gid_add(struct nw_gid_list *l, gid_t g)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == g)
			return true;
	if (!nw_grow((void **)&l->v, &l->cap, l->n, sizeof(gid_t)))
		return false;
	l->v[l->n++] = g;
	return true;
}

long nw_user_groups(const char *user, gid_t group, gid_t **out)
{
	struct nw_gr_table *t = (struct nw_gr_table *)nw_table_get(&nw_group_source);
	const struct nw_module *m = nw_module();
	struct nw_gid_list l = { 0 };
	bool ok = nw_gid_add(&l, group);

	if (t != NULL && !nw_table_more(&t->base))
		ok = false;
	if (t != NULL && ok) {
		uint32_t h = nw_hash_str(user);

		NW_FOREACH(&t->by_member, h, n) {
			const struct group *gr = nw_rec(&t->base, nw_index_rec(&t->by_member, n));

			if (!ok)
				break;
			for (char **mp = gr->gr_mem; *mp; mp++) {
				if (strcmp(*mp, user) == 0) {
					if (gr->gr_gid != group)
						ok = nw_gid_add(&l, gr->gr_gid);
					break;
				}
			}
		}
	}
	nw_table_put((struct nw_table *)t);
	if (ok && m != NULL && m->initgroups_dyn != NULL) {
		long start = (long)l.n, size = (long)(l.cap > l.n ? l.cap : l.n + 1);
		gid_t *v = realloc(l.v, (size_t)size * sizeof(gid_t));
		int err = 0;

		if (v == NULL) {
			ok = false;
		} else {
			l.v = v;
			m->initgroups_dyn(user, group, &start, &size, &l.v, -1, &err);
			/* The module may repeat groups: keep the first of each. */
			struct nw_gid_list d = { 0 };

			for (long i = 0; i < start && ok; i++)
				ok = nw_gid_add(&d, l.v[i]);
			free(l.v);
			l = d;
		}
	}
	if (!ok) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	return (long)l.n;
}

CW_EXPORT int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	gid_t *list = NULL;
	long total;
	int room;

	if (!nw_users_on())
		return REAL(getgrouplist)(user, group, groups, ngroups);
	total = nw_user_groups(user, group, &list);
	if (total < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (total > INT_MAX)
		total = INT_MAX;
	room = *ngroups < 0 ? 0 : *ngroups;
	memcpy(groups, list, (size_t)(total < room ? total : room) * sizeof(gid_t));
	free(list);
	*ngroups = (int)total;
	return total > room ? -1 : (int)total;
}

/*
 * The groups are set with setgroups() called by its ordinary name: with
 * the uid shim loaded, the fake credentials receive them; without it the
 * kernel decides (EPERM for a normal user), as with glibc.
 */
CW_EXPORT int initgroups(const char *user, gid_t group)
{
	gid_t *list = NULL;
	long total, max;
	int rc;

	if (!nw_users_on())
		return REAL(initgroups)(user, group);
	total = nw_user_groups(user, group, &list);
	if (total < 0) {
		errno = ENOMEM;
		return -1;
	}
	max = sysconf(_SC_NGROUPS_MAX);
	if (max > 0 && total > max)
		total = max;
	rc = setgroups((size_t)total, list);
	free(list);
	return rc;
}
