/*
 * Shadow passwords: getspnam, getspent and their _r forms, setspent and
 * endspent, from NSS_WRAPPER_SHADOW (shadow(5)).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

struct nw_sp_table {
	struct nw_table base;
	struct spwd *recs;
	size_t count;
	struct nw_index by_name;
};

static void nw_sp_destroy(struct nw_table *t)
{
	struct nw_sp_table *st = (struct nw_sp_table *)t;

	free(st->recs);
	nw_index_free(&st->by_name);
	free(st);
}

static struct nw_table *nw_sp_build(char *text, size_t len, const char *path)
{
	struct nw_sp_table *t = calloc(1, sizeof(*t));
	char *cursor = text, *line;
	size_t cap = 0, lineno = 0;

	if (t == NULL)
		return NULL;
	t->base.text = text;
	t->base.path = path;
	t->base.destroy = nw_sp_destroy;
	cap = nw_count_lines(text, len);
	t->recs = malloc(cap * sizeof(*t->recs));
	if (t->recs == NULL)
		goto fail;
	while ((line = nw_next_line(&cursor, text + len)) != NULL) {
		struct spwd sp;

		lineno++;
		line = nw_content(line);
		if (line == NULL)
			continue;
		if (!nw_parse_shadow(line, &sp)) {
			nw_bad_line(&t->base, lineno, "not a shadow(5) entry");
			continue;
		}
		if (!nw_grow((void **)&t->recs, &cap, t->count, sizeof(*t->recs)))
			goto fail;
		t->recs[t->count++] = sp;
	}
	for (size_t i = 0; i < t->count; i++) {
		const char *name = t->recs[i].sp_namp;

		if (name[0] == '+' || name[0] == '-')
			continue;
		if (!nw_index_add(&t->by_name, nw_hash_str(name), (uint32_t)i))
			goto fail;
	}
	if (!nw_index_finish(&t->by_name))
		goto fail;
	return &t->base;
fail:
	t->base.text = NULL;
	nw_sp_destroy(&t->base);
	return NULL;
}

struct nw_source nw_shadow_source = NW_SOURCE("SHADOW", nw_sp_build);

static int nw_sp_r(const char *name, struct spwd *sp, char *buf, size_t len,
		   struct spwd **result)
{
	struct nw_sp_table *t = (struct nw_sp_table *)nw_table_get(&nw_shadow_source);
	int rc = ENOENT;

	if (t != NULL) {
		uint32_t h = nw_hash_str(name);

		NW_FOREACH(&t->by_name, h, n) {
			const struct spwd *s = &t->recs[t->by_name.nodes[n].rec];

			if (strcmp(s->sp_namp, name) == 0) {
				rc = nw_copy_spwd(s, sp, buf, len);
				break;
			}
		}
		nw_table_put(&t->base);
	}
	*result = rc == 0 ? sp : NULL;
	if (rc == ENOENT)
		rc = 0;
	errno = rc;
	return rc;
}

CW_EXPORT int getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len,
			 struct spwd **result)
{
	if (!nw_shadow_on())
		return REAL(getspnam_r)(name, sp, buf, len, result);
	return nw_sp_r(name, sp, buf, len, result);
}

CW_EXPORT struct spwd *getspnam(const char *name)
{
	struct nw_static_buf *sbp = nw_tls_buf(NW_TLS_SP);
	static _Thread_local struct spwd sp;
	struct spwd *result = NULL;
	int saved = errno, rc;

	if (!nw_shadow_on())
		return REAL(getspnam)(name);
	do {
		if (sbp->len == 0 && !nw_static_grow(sbp)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_sp_r(name, &sp, sbp->buf, sbp->len, &result);
	} while (rc == ERANGE && nw_static_grow(sbp));
	errno = rc ? rc : saved;
	return result;
}

/* ---- enumeration: the file in order --------------------------------- */

static int nw_spent_copy(const struct nw_table *t, size_t pos, void *rec, char *buf, size_t len)
{
	const struct nw_sp_table *st = (const struct nw_sp_table *)t;

	return pos < st->count ? nw_copy_spwd(&st->recs[pos], rec, buf, len) : ENOENT;
}

struct nw_cursor nw_spent = NW_CURSOR(nw_shadow_source, nw_spent_copy, NULL);

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
