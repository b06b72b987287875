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

/* The answer of the module, in the _r convention. */
static int nw_status_rc(enum nss_status st, int err)
{
	if (st == NSS_STATUS_SUCCESS)
		return 0;
	if (st == NSS_STATUS_TRYAGAIN)
		return err ? err : EAGAIN;
	return ENOENT;
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
	static _Thread_local struct nw_static_buf sb;
	static _Thread_local struct passwd pw;
	struct passwd *result = NULL;
	int saved = errno, rc;

	do {
		if (sb.len == 0 && !nw_static_grow(&sb)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_pw_r(name, uid, &pw, sb.buf, sb.len, &result);
	} while (rc == ERANGE && nw_static_grow(&sb));
	errno = rc ? rc : saved;
	return result;
}

CW_EXPORT int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwnam_r)(name, pwd, buf, len, result);
	return nw_pw_r(name, 0, pwd, buf, len, result);
}

CW_EXPORT int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwuid_r)(uid, pwd, buf, len, result);
	return nw_pw_r(NULL, uid, pwd, buf, len, result);
}

CW_EXPORT struct passwd *getpwnam(const char *name)
{
	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwnam)(name);
	return nw_pw_static(name, 0);
}

CW_EXPORT struct passwd *getpwuid(uid_t uid)
{
	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwuid)(uid);
	return nw_pw_static(NULL, uid);
}

/* ---- enumeration: the file in order, then the module ---------------- */

struct cw_mutex nw_pwent_lock = CW_MUTEX_INIT;
static struct nw_pw_table *nw_pwent_table;
static size_t nw_pwent_pos;
static int nw_pwent_module;     /* 0 not started, 1 running, 2 done */

static void nw_pwent_reset(void)
{
	const struct nw_module *m = nw_module();

	nw_table_put((struct nw_table *)nw_pwent_table);
	nw_pwent_table = NULL;
	nw_pwent_pos = 0;
	if (nw_pwent_module == 1 && m && m->endpwent)
		m->endpwent();
	nw_pwent_module = 0;
}

CW_EXPORT void setpwent(void)
{
	cw_init(nw_init);
	if (!nw_users_enabled()) {
		REAL(setpwent)();
		return;
	}
	cw_lock(&nw_pwent_lock);
	nw_pwent_reset();
	cw_unlock(&nw_pwent_lock);
}

CW_EXPORT void endpwent(void)
{
	cw_init(nw_init);
	if (!nw_users_enabled()) {
		REAL(endpwent)();
		return;
	}
	cw_lock(&nw_pwent_lock);
	nw_pwent_reset();
	cw_unlock(&nw_pwent_lock);
}

static int nw_pwent_next(struct passwd *pwd, char *buf, size_t len)
{
	const struct nw_module *m;
	int rc, err = 0;

	if (nw_pwent_module == 0) {
		if (nw_pwent_table == NULL && nw_pwent_pos == 0)
			nw_pwent_table = (struct nw_pw_table *)nw_table_get(&nw_passwd_source);
		if (nw_pwent_table != NULL && nw_pwent_pos < nw_pwent_table->count) {
			rc = nw_copy_passwd(&nw_pwent_table->recs[nw_pwent_pos], pwd, buf, len);
			if (rc == 0)
				nw_pwent_pos++;
			return rc;
		}
		nw_pwent_pos = 1;   /* the file is done */
		m = nw_module();
		if (m == NULL || m->getpwent_r == NULL) {
			nw_pwent_module = 2;
			return ENOENT;
		}
		if (m->setpwent)
			m->setpwent();
		nw_pwent_module = 1;
	}
	if (nw_pwent_module == 2)
		return ENOENT;
	m = nw_module();
	rc = nw_status_rc(m->getpwent_r(pwd, buf, len, &err), err);
	if (rc == ENOENT)
		nw_pwent_module = 2;
	return rc;
}

CW_EXPORT int getpwent_r(struct passwd *pwd, char *buf, size_t len, struct passwd **result)
{
	int rc;

	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwent_r)(pwd, buf, len, result);
	cw_lock(&nw_pwent_lock);
	rc = nw_pwent_next(pwd, buf, len);
	cw_unlock(&nw_pwent_lock);
	*result = rc == 0 ? pwd : NULL;
	errno = rc;
	return rc;
}

CW_EXPORT struct passwd *getpwent(void)
{
	static struct nw_static_buf sb;
	static struct passwd pw;
	struct passwd *result = NULL;
	int rc;

	cw_init(nw_init);
	if (!nw_users_enabled())
		return REAL(getpwent)();
	cw_lock(&nw_pwent_lock);
	do {
		if (sb.len == 0 && !nw_static_grow(&sb)) {
			rc = ENOMEM;
			break;
		}
		rc = nw_pwent_next(&pw, sb.buf, sb.len);
	} while (rc == ERANGE && nw_static_grow(&sb));
	cw_unlock(&nw_pwent_lock);
	if (rc == 0)
		result = &pw;
	errno = rc;
	return result;
}
