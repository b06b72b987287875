/*
 * Groups: getgrnam, getgrgid, getgrent and their _r forms, getgrouplist
 * and initgroups, from NSS_WRAPPER_GROUP (group(5)), then the module.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

struct nw_gr_table {
	struct nw_table base;
	struct group *recs;
	size_t count;
	char **members;         /* every gr_mem array, NULL-terminated, back to back */
	struct nw_index by_name, by_gid, by_member;
};

static void nw_gr_destroy(struct nw_table *t)
{
	struct nw_gr_table *gt = (struct nw_gr_table *)t;

	free(gt->recs);
	free(gt->members);
	nw_index_free(&gt->by_name);
	nw_index_free(&gt->by_gid);
	nw_index_free(&gt->by_member);
	free(gt);
}

static bool nw_gr_more(struct nw_table *base)
{
	struct nw_gr_table *t = (struct nw_gr_table *)base;

	for (size_t i = 0; i < t->count; i++) {
		const struct group *gr = &t->recs[i];

		for (char **mp = gr->gr_mem; *mp; mp++)
			if (!nw_index_add(&t->by_member, nw_hash_str(*mp), (uint32_t)i))
				return false;
		if (gr->gr_name[0] == '+' || gr->gr_name[0] == '-')
			continue;
		if (!nw_index_add(&t->by_gid, nw_hash_u32(gr->gr_gid), (uint32_t)i))
			return false;
	}
	return nw_index_finish(&t->by_gid) && nw_index_finish(&t->by_member);
}

static struct nw_table *nw_gr_build(char *text, size_t len, const char *path)
{
	struct nw_gr_table *t = calloc(1, sizeof(*t));
	char *cursor = text, *line, *m;
	size_t cap = 0, mcap = 0, mcount = 0, lineno = 0;

	if (t == NULL)
		return NULL;
	t->base.text = text;
	t->base.path = path;
	t->base.destroy = nw_gr_destroy;
	t->base.build_more = nw_gr_more;
	cap = nw_count_lines(text, len);
	t->recs = malloc(cap * sizeof(*t->recs));
	if (t->recs == NULL)
		goto fail;
	while ((line = nw_next_line(&cursor, text + len)) != NULL) {
		struct group gr;

		lineno++;
		line = nw_content(line);
		if (line == NULL)
			continue;
		if (!nw_parse_group_head(&line, &gr)) {
			nw_bad_line(&t->base, lineno, "not a group(5) entry");
			continue;
		}
		/* gr_mem holds the offset of its list until the pool stops moving. */
		gr.gr_mem = (char **)(uintptr_t)mcount;
		while ((m = nw_list_next(&line, ',')) != NULL) {
			if (!nw_grow((void **)&t->members, &mcap, mcount, sizeof(char *)))
				goto fail;
			t->members[mcount++] = m;
		}
		if (!nw_grow((void **)&t->members, &mcap, mcount, sizeof(char *)) ||
		    !nw_grow((void **)&t->recs, &cap, t->count, sizeof(*t->recs)))
			goto fail;
		t->members[mcount++] = NULL;
		t->recs[t->count++] = gr;
	}
	for (size_t i = 0; i < t->count; i++) {
		struct group *gr = &t->recs[i];

		gr->gr_mem = t->members + (uintptr_t)gr->gr_mem;
		if (gr->gr_name[0] == '+' || gr->gr_name[0] == '-')
			continue;
		if (!nw_index_add(&t->by_name, nw_hash_str(gr->gr_name), (uint32_t)i))
			goto fail;
	}
	if (!nw_index_finish(&t->by_name))
		goto fail;
	return &t->base;
fail:
	t->base.text = NULL;
	nw_gr_destroy(&t->base);
	return NULL;
}

struct nw_source nw_group_source = NW_SOURCE("GROUP", nw_gr_build);

static int nw_gr_find(const char *name, gid_t gid, struct group *grp, char *buf, size_t len)
{
	struct nw_gr_table *t = (struct nw_gr_table *)nw_table_get(&nw_group_source);
	int rc = ENOENT;

	if (t == NULL)
		return ENOENT;
	if (name != NULL) {
		uint32_t h = nw_hash_str(name);

		NW_FOREACH(&t->by_name, h, n) {
			const struct group *gr = &t->recs[t->by_name.nodes[n].rec];

			if (strcmp(gr->gr_name, name) == 0) {
				rc = nw_copy_group(gr, grp, buf, len);
				break;
			}
		}
	} else if (!nw_table_more(&t->base)) {
		rc = ENOMEM;
	} else {
		uint32_t h = nw_hash_u32(gid);

		NW_FOREACH(&t->by_gid, h, n) {
			const struct group *gr = &t->recs[t->by_gid.nodes[n].rec];

			if (gr->gr_gid == gid) {
				rc = nw_copy_group(gr, grp, buf, len);
				break;
			}
		}
	}
	nw_table_put(&t->base);
	return rc;
}

static int nw_gr_r(const char *name, gid_t gid, struct group *grp, char *buf, size_t len,
		   struct group **result)
{
	const struct nw_module *m;
	int rc = nw_gr_find(name, gid, grp, buf, len), err = 0;

	if (rc == ENOENT && (m = nw_module()) != NULL) {
		if (name != NULL && m->getgrnam_r)
			rc = nw_status_rc(m->getgrnam_r(name, grp, buf, len, &err), err);
		else if (name == NULL && m->getgrgid_r)
			rc = nw_status_rc(m->getgrgid_r(gid, grp, buf, len, &err), err);
	}
	*result = rc == 0 ? grp : NULL;
	if (rc == ENOENT)
		rc = 0;
	errno = rc;
	return rc;
}

static struct group *nw_gr_static(const char *name, gid_t gid)
{
	struct nw_static_buf *sbp = nw_tls_buf(NW_TLS_GR);
	static _Thread_local struct group gr;
	struct group *result = NULL;
	int saved = errno, rc;

	do {
		if (sbp->len == 0 && !nw_static_grow(sbp)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_gr_r(name, gid, &gr, sbp->buf, sbp->len, &result);
	} while (rc == ERANGE && nw_static_grow(sbp));
	errno = rc ? rc : saved;
	return result;
}

CW_EXPORT int getgrnam_r(const char *name, struct group *grp, char *buf, size_t len,
			 struct group **result)
{
	if (!nw_users_on())
		return REAL(getgrnam_r)(name, grp, buf, len, result);
	return nw_gr_r(name, 0, grp, buf, len, result);
}

CW_EXPORT int getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t len,
			 struct group **result)
{
	if (!nw_users_on())
		return REAL(getgrgid_r)(gid, grp, buf, len, result);
	return nw_gr_r(NULL, gid, grp, buf, len, result);
}

CW_EXPORT struct group *getgrnam(const char *name)
{
	if (!nw_users_on())
		return REAL(getgrnam)(name);
	return nw_gr_static(name, 0);
}

CW_EXPORT struct group *getgrgid(gid_t gid)
{
	if (!nw_users_on())
		return REAL(getgrgid)(gid);
	return nw_gr_static(NULL, gid);
}

/* ---- enumeration: the file in order, then the module ---------------- */

static int nw_grent_copy(const struct nw_table *t, size_t pos, void *rec, char *buf, size_t len)
{
	const struct nw_gr_table *gt = (const struct nw_gr_table *)t;

	return pos < gt->count ? nw_copy_group(&gt->recs[pos], rec, buf, len) : ENOENT;
}

struct nw_cursor nw_grent = NW_CURSOR(nw_group_source, nw_grent_copy, nw_module_grent);

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
			const struct group *gr = &t->recs[t->by_member.nodes[n].rec];

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
