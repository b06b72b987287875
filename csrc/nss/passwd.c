/*
 * Users: getpwnam, getpwuid, getpwent and their _r forms, from
 * NSS_WRAPPER_PASSWD (passwd(5)), then from the module if one is set.
 */
#include <errno.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "log.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

struct nw_pw_table {
	struct nw_table base;
	struct passwd *recs;
	size_t count;
	struct nw_index by_name, by_uid;
};

static void nw_pw_destroy(struct nw_table *t)
{
	struct nw_pw_table *pt = (struct nw_pw_table *)t;

	free(pt->recs);
	nw_index_free(&pt->by_name);
	nw_index_free(&pt->by_uid);
	free(pt);
}

/* glibc's files module never answers a lookup with a +/- (compat) entry. */
static bool nw_compat_name(const char *name)
{
	return name[0] == '+' || name[0] == '-';
}

static bool nw_pw_more(struct nw_table *base)
{
	struct nw_pw_table *t = (struct nw_pw_table *)base;

	for (size_t i = 0; i < t->count; i++) {
		if (nw_compat_name(t->recs[i].pw_name))
			continue;
		if (!nw_index_add(&t->by_uid, nw_hash_u32(t->recs[i].pw_uid), (uint32_t)i))
			return false;
	}
	return nw_index_finish(&t->by_uid);
}

static struct nw_table *nw_pw_build(char *text, size_t len, const char *path)
{
	struct nw_pw_table *t = calloc(1, sizeof(*t));
	char *cursor = text, *line;
	size_t cap = 0, lineno = 0;

	if (t == NULL)
		return NULL;
	t->base.text = text;
	t->base.path = path;
	t->base.destroy = nw_pw_destroy;
	t->base.build_more = nw_pw_more;
	cap = nw_count_lines(text, len);
	t->recs = malloc(cap * sizeof(*t->recs));
	if (t->recs == NULL)
		goto fail;
	while ((line = nw_next_line(&cursor, text + len)) != NULL) {
		struct passwd pw;

		lineno++;
		line = nw_content(line);
		if (line == NULL)
			continue;
		if (!nw_parse_passwd(line, &pw)) {
			nw_bad_line(&t->base, lineno, "not a passwd(5) entry");
			continue;
		}
		if (!nw_grow((void **)&t->recs, &cap, t->count, sizeof(*t->recs)))
			goto fail;
		t->recs[t->count++] = pw;
	}
	for (size_t i = 0; i < t->count; i++) {
		if (nw_compat_name(t->recs[i].pw_name))
			continue;
		if (!nw_index_add(&t->by_name, nw_hash_str(t->recs[i].pw_name), (uint32_t)i))
			goto fail;
	}
	if (!nw_index_finish(&t->by_name))
		goto fail;
	return &t->base;
fail:
	t->base.text = NULL;
	nw_pw_destroy(&t->base);
	return NULL;
}

struct nw_source nw_passwd_source = NW_SOURCE("PASSWD", nw_pw_build);

/* A file hit: 0 copied, ERANGE; or ENOENT when the file has no such user. */
static int nw_pw_find(const char *name, uid_t uid, struct passwd *pwd, char *buf, size_t len)
{
	struct nw_pw_table *t = (struct nw_pw_table *)nw_table_get(&nw_passwd_source);
	int rc = ENOENT;

	if (t == NULL)
		return ENOENT;
	if (name != NULL) {
		uint32_t h = nw_hash_str(name);

		NW_FOREACH(&t->by_name, h, n) {
			const struct passwd *pw = &t->recs[t->by_name.nodes[n].rec];

			if (strcmp(pw->pw_name, name) == 0) {
				rc = nw_copy_passwd(pw, pwd, buf, len);
				break;
			}
		}
	} else if (!nw_table_more(&t->base)) {
		rc = ENOMEM;
	} else {
		uint32_t h = nw_hash_u32(uid);

		NW_FOREACH(&t->by_uid, h, n) {
			const struct passwd *pw = &t->recs[t->by_uid.nodes[n].rec];

			if (pw->pw_uid == uid) {
				rc = nw_copy_passwd(pw, pwd, buf, len);
				break;
			}
		}
	}
	nw_table_put(&t->base);
	return rc;
}

static int nw_pw_lookup(const char *name, uid_t uid, struct passwd *pwd, char *buf,
			size_t len)
{
	const struct nw_module *m;
	int rc = nw_pw_find(name, uid, pwd, buf, len);
	int err = 0;

	if (rc != ENOENT || (m = nw_module()) == NULL)
		return rc;
	if (name != NULL && m->getpwnam_r)
		return nw_status_rc(m->getpwnam_r(name, pwd, buf, len, &err), err);
	if (name == NULL && m->getpwuid_r)
		return nw_status_rc(m->getpwuid_r(uid, pwd, buf, len, &err), err);
	return ENOENT;
}

/* The _r convention: 0 with *result set or NULL (not found), or an error. */
static int nw_pw_r(const char *name, uid_t uid, struct passwd *pwd, char *buf,
		   size_t len, struct passwd **result)
{
	int rc = nw_pw_lookup(name, uid, pwd, buf, len);

	*result = rc == 0 ? pwd : NULL;
	if (rc == ENOENT)
		rc = 0;
	errno = rc;
	return rc;
}

static struct passwd *nw_pw_static(const char *name, uid_t uid)
{
	struct nw_static_buf *sbp = nw_tls_buf(NW_TLS_PW);
	static _Thread_local struct passwd pw;
	struct passwd *result = NULL;
	int saved = errno, rc;

	do {
		if (sbp->len == 0 && !nw_static_grow(sbp)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_pw_r(name, uid, &pw, sbp->buf, sbp->len, &result);
	} while (rc == ERANGE && nw_static_grow(sbp));
	errno = rc ? rc : saved;
	return result;
}

CW_EXPORT int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	if (!nw_users_on())
		return REAL(getpwnam_r)(name, pwd, buf, len, result);
	return nw_pw_r(name, 0, pwd, buf, len, result);
}

CW_EXPORT int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	if (!nw_users_on())
		return REAL(getpwuid_r)(uid, pwd, buf, len, result);
	return nw_pw_r(NULL, uid, pwd, buf, len, result);
}

CW_EXPORT struct passwd *getpwnam(const char *name)
{
	if (!nw_users_on())
		return REAL(getpwnam)(name);
	return nw_pw_static(name, 0);
}

CW_EXPORT struct passwd *getpwuid(uid_t uid)
{
	if (!nw_users_on())
		return REAL(getpwuid)(uid);
	return nw_pw_static(NULL, uid);
}

/* ---- enumeration: the file in order, then the module ---------------- */

static int nw_pwent_copy(const struct nw_table *t, size_t pos, void *rec, char *buf, size_t len)
{
	const struct nw_pw_table *pt = (const struct nw_pw_table *)t;

	return pos < pt->count ? nw_copy_passwd(&pt->recs[pos], rec, buf, len) : ENOENT;
}

struct nw_cursor nw_pwent = NW_CURSOR(nw_passwd_source, nw_pwent_copy, nw_module_pwent);

CW_EXPORT void setpwent(void)
{
	if (nw_users_on())
		nw_cursor_rewind(&nw_pwent);
	else
		REAL(setpwent)();
}

CW_EXPORT void endpwent(void)
{
	if (nw_users_on())
		nw_cursor_rewind(&nw_pwent);
	else
		REAL(endpwent)();
}

CW_EXPORT int getpwent_r(struct passwd *pwd, char *buf, size_t len, struct passwd **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getpwent_r)(pwd, buf, len, result);
	rc = nw_cursor_get_r(&nw_pwent, pwd, buf, len);
	*result = rc == 0 ? pwd : NULL;
	return rc;
}

CW_EXPORT struct passwd *getpwent(void)
{
	static struct passwd pw;

	if (!nw_users_on())
		return REAL(getpwent)();
	return nw_cursor_get(&nw_pwent, &pw) == 0 ? &pw : NULL;
}
