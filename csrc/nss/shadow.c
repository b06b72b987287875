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
	cw_init(nw_init);
	if (!nw_shadow_enabled())
		return REAL(getspnam_r)(name, sp, buf, len, result);
	return nw_sp_r(name, sp, buf, len, result);
}

CW_EXPORT struct spwd *getspnam(const char *name)
{
	static _Thread_local struct nw_static_buf sb;
	static _Thread_local struct spwd sp;
	struct spwd *result = NULL;
	int saved = errno, rc;

	cw_init(nw_init);
	if (!nw_shadow_enabled())
		return REAL(getspnam)(name);
	do {
		if (sb.len == 0 && !nw_static_grow(&sb)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_sp_r(name, &sp, sb.buf, sb.len, &result);
	} while (rc == ERANGE && nw_static_grow(&sb));
	errno = rc ? rc : saved;
	return result;
}

struct cw_mutex nw_spent_lock = CW_MUTEX_INIT;
static struct nw_sp_table *nw_spent_table;
static size_t nw_spent_pos;
static bool nw_spent_started;

static void nw_spent_reset(void)
{
	nw_table_put((struct nw_table *)nw_spent_table);
	nw_spent_table = NULL;
	nw_spent_pos = 0;
	nw_spent_started = false;
}

CW_EXPORT void setspent(void)
{
	cw_init(nw_init);
	if (!nw_shadow_enabled()) {
		REAL(setspent)();
		return;
	}
	cw_lock(&nw_spent_lock);
	nw_spent_reset();
	cw_unlock(&nw_spent_lock);
}

CW_EXPORT void endspent(void)
{
	cw_init(nw_init);
	if (!nw_shadow_enabled()) {
		REAL(endspent)();
		return;
	}
	cw_lock(&nw_spent_lock);
	nw_spent_reset();
	cw_unlock(&nw_spent_lock);
}

static int nw_spent_next(struct spwd *sp, char *buf, size_t len)
{
	int rc;

	if (!nw_spent_started) {
		nw_spent_table = (struct nw_sp_table *)nw_table_get(&nw_shadow_source);
		nw_spent_started = true;
	}
	if (nw_spent_table == NULL || nw_spent_pos >= nw_spent_table->count)
		return ENOENT;
	rc = nw_copy_spwd(&nw_spent_table->recs[nw_spent_pos], sp, buf, len);
	if (rc == 0)
		nw_spent_pos++;
	return rc;
}

CW_EXPORT int getspent_r(struct spwd *sp, char *buf, size_t len, struct spwd **result)
{
	int rc;

	cw_init(nw_init);
	if (!nw_shadow_enabled())
		return REAL(getspent_r)(sp, buf, len, result);
	cw_lock(&nw_spent_lock);
	rc = nw_spent_next(sp, buf, len);
	cw_unlock(&nw_spent_lock);
	*result = rc == 0 ? sp : NULL;
	errno = rc;
	return rc;
}

CW_EXPORT struct spwd *getspent(void)
{
	static struct nw_static_buf sb;
	static struct spwd sp;
	int rc;

	cw_init(nw_init);
	if (!nw_shadow_enabled())
		return REAL(getspent)();
	cw_lock(&nw_spent_lock);
	do {
		if (sb.len == 0 && !nw_static_grow(&sb)) {
			rc = ENOMEM;
			break;
		}
		rc = nw_spent_next(&sp, sb.buf, sb.len);
	} while (rc == ERANGE && nw_static_grow(&sb));
	cw_unlock(&nw_spent_lock);
	errno = rc;
	return rc == 0 ? &sp : NULL;
}
