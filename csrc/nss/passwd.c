/*
 * Users: getpwnam, getpwuid, getpwent and their _r forms, from
 * NSS_WRAPPER_PASSWD (passwd(5)), then from the module if one is set.
 */
#include <errno.h>

#include "nw.h"
#include "shim.h"

static const struct nw_layout nw_pw_layout = NW_LAYOUT(struct passwd, pw_name, pw_uid);

static enum nw_parsed nw_pw_parse(char *line, void *rec, void *ctx)
{
	(void)ctx;
	return nw_parse_passwd(line, rec) ? NW_PARSED : NW_REFUSED;
}

static struct nw_table *nw_pw_build(struct nw_arena *a, char *text, size_t len,
				    const char *path)
{
	struct nw_table *t = nw_table_new(sizeof(*t), a, text, len, path, &nw_pw_layout);

	if (t == NULL)
		return NULL;
	t->build_more = nw_table_index_ids;
	if (!nw_table_parse(t, len, nw_pw_parse, NULL, "not a passwd(5) entry") ||
	    !nw_table_index_names(t))
		return nw_table_fail(t);
	return t;
}

struct nw_source nw_passwd_source = NW_SOURCE("PASSWD", nw_pw_build);

static const struct nw_db nw_pw_db = {
	&nw_passwd_source, nw_copy_passwd, nw_module_pw, NW_TLS_PW
};

CW_EXPORT int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getpwnam_r)(name, pwd, buf, len, result);
	*result = nw_db_r(&nw_pw_db, &(struct nw_key){ name, 0 }, pwd, buf, len, &rc);
	return rc;
}

CW_EXPORT int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t len,
			 struct passwd **result)
{
	int rc;

	if (!nw_users_on())
		return REAL(getpwuid_r)(uid, pwd, buf, len, result);
	*result = nw_db_r(&nw_pw_db, &(struct nw_key){ NULL, uid }, pwd, buf, len, &rc);
	return rc;
}

/* The plain calls share per-thread storage, as glibc's share static storage. */
static _Thread_local struct passwd nw_pw;

CW_EXPORT struct passwd *getpwnam(const char *name)
{
	if (!nw_users_on())
		return REAL(getpwnam)(name);
	return nw_db_static(&nw_pw_db, &(struct nw_key){ name, 0 }, &nw_pw);
}

CW_EXPORT struct passwd *getpwuid(uid_t uid)
{
	if (!nw_users_on())
		return REAL(getpwuid)(uid);
	return nw_db_static(&nw_pw_db, &(struct nw_key){ NULL, uid }, &nw_pw);
}

/* ---- enumeration: the file in order, then the module ---------------- */

struct nw_cursor nw_pwent = NW_CURSOR(nw_passwd_source, nw_copy_passwd, nw_module_pwent);

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
