/*
 * Shadow passwords: getspnam, getspent and their _r forms, setspent and
 * endspent, from NSS_WRAPPER_SHADOW (shadow(5)).
 */
#include <errno.h>

#include "nw.h"
#include "shim.h"

/* Shadow entries have no number to be asked by: `id` is never read. */
static const struct nw_layout nw_sp_layout = NW_LAYOUT(struct spwd, sp_namp, sp_namp);

static enum nw_parsed nw_sp_parse(char *line, void *rec, void *ctx)
{
	(void)ctx;
	return nw_parse_shadow(line, rec) ? NW_PARSED : NW_REFUSED;
}

static struct nw_table *nw_sp_build(struct nw_arena *a, char *text, size_t len,
				    const char *path)
{
	struct nw_table *t = nw_table_new(sizeof(*t), a, text, len, path, &nw_sp_layout);

	if (t == NULL)
		return NULL;
	if (!nw_table_parse(t, len, nw_sp_parse, NULL, "not a shadow(5) entry") ||
	    !nw_table_index_names(t))
		return nw_table_fail(t);
	return t;
}

struct nw_source nw_shadow_source = NW_SOURCE("SHADOW", nw_sp_build);

static const struct nw_db nw_sp_db = { &nw_shadow_source, nw_copy_spwd, NULL, NW_TLS_SP };

CW_EXPORT int getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len,
			 struct spwd **result)
{
	int rc;

	if (!nw_shadow_on())
		return REAL(getspnam_r)(name, sp, buf, len, result);
	*result = nw_db_r(&nw_sp_db, &(struct nw_key){ name, 0 }, sp, buf, len, &rc);
	return rc;
}

CW_EXPORT struct spwd *getspnam(const char *name)
{
	static _Thread_local struct spwd sp;

	if (!nw_shadow_on())
		return REAL(getspnam)(name);
	return nw_db_static(&nw_sp_db, &(struct nw_key){ name, 0 }, &sp);
}

/* ---- enumeration: the file in order --------------------------------- */

struct nw_cursor nw_spent = NW_CURSOR(nw_shadow_source, nw_copy_spwd, NULL);

CW_EXPORT void setspent(void)
{
	if (nw_shadow_on())
		nw_cursor_rewind(&nw_spent);
	else
		REAL(setspent)();
}

CW_EXPORT void endspent(void)
{
	if (nw_shadow_on())
		nw_cursor_rewind(&nw_spent);
	else
		REAL(endspent)();
}

CW_EXPORT int getspent_r(struct spwd *sp, char *buf, size_t len, struct spwd **result)
{
	int rc;

	if (!nw_shadow_on())
		return REAL(getspent_r)(sp, buf, len, result);
	rc = nw_cursor_get_r(&nw_spent, sp, buf, len);
	*result = rc == 0 ? sp : NULL;
	return rc;
}

CW_EXPORT struct spwd *getspent(void)
{
	static struct spwd sp;

	if (!nw_shadow_on())
		return REAL(getspent)();
	return nw_cursor_get(&nw_spent, &sp) == 0 ? &sp : NULL;
}
