/*
 * The records of a snapshot: parsing a file into them, line by line, and
 * finding one by name or by number through the table's hash indexes.
 * Every database keeps its records in one array in file order; where a
 * record keeps its name and number is said by the database's layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

struct nw_table *nw_table_new(size_t size, struct nw_arena *a, char *text, size_t len,
			      const char *path, const struct nw_layout *layout)
{
	struct nw_table *t = calloc(1, size);

	if (t == NULL) {
		nw_arena_free(a);
		return NULL;
	}
	t->arena = a;
	t->text = text;
	t->path = path;
	t->layout = layout;
	t->cap = nw_count_lines(text, len);
	t->recs = nw_arena_alloc(a, t->cap * layout->size);
	if (t->recs == NULL)
		return nw_table_fail(t);
	return t;
}

void nw_table_free(struct nw_table *t)
{
	nw_arena_free(t->arena);
	free(t);
}

struct nw_table *nw_table_fail(struct nw_table *t)
{
	nw_table_free(t);
	return NULL;
}

bool nw_table_parse(struct nw_table *t, size_t len, nw_parse_fn parse, void *ctx,
		    const char *why)
{
	char *cursor = t->text, *line;
	size_t lineno = 0;

	while ((line = nw_next_line(&cursor, t->text + len)) != NULL) {
		lineno++;
		line = nw_content(line);
		if (line == NULL)
			continue;
		if (!nw_arena_grow_array(t->arena, &t->recs, &t->cap, t->count, t->layout->size))
			return false;
		switch (parse(line, nw_rec(t, t->count), ctx)) {
		case NW_PARSED:
			t->count++;
			break;
		case NW_REFUSED:
			nw_bad_line(t, lineno, why);
			break;
		case NW_NOMEM:
			return false;
		}
	}
	return true;
}

static const char *nw_rec_name(const struct nw_table *t, size_t i)
{
	const char *name;

	memcpy(&name, (const char *)nw_rec(t, i) + t->layout->name, sizeof(name));
	return name;
}

static uint32_t nw_rec_id(const struct nw_table *t, size_t i)
{
	uint32_t id;

	memcpy(&id, (const char *)nw_rec(t, i) + t->layout->id, sizeof(id));
	return id;
}

/* glibc's files module never answers a lookup with a +/- (compat) entry. */
static bool nw_compat_rec(const struct nw_table *t, size_t i)
{
	const char *name = nw_rec_name(t, i);

	return name[0] == '+' || name[0] == '-';
}

static uint32_t nw_rec_hash(const struct nw_table *t, size_t i, bool by_name)
{
	return by_name ? nw_hash_str(nw_rec_name(t, i)) : nw_hash_u32(nw_rec_id(t, i));
}

/* Files every record but the +/- (compat) ones by name or by number. */
static bool nw_table_index(struct nw_table *t, struct nw_index *ix, bool by_name)
{
	if (!nw_index_init(ix, t->count, t->arena))
		return false;
	for (size_t i = 0; i < t->count; i++) {
		if (nw_compat_rec(t, i))
			continue;
		if (!nw_index_add(ix, nw_rec_hash(t, i, by_name), (uint32_t)i))
			return false;
	}
	nw_index_finish(ix);
	return true;
}

bool nw_table_index_names(struct nw_table *t)
{
	return nw_table_index(t, &t->by_name, true);
}

bool nw_table_index_ids(struct nw_table *t)
{
	return nw_table_index(t, &t->by_id, false);
}

static bool nw_rec_matches(const struct nw_table *t, size_t i, const struct nw_key *key)
{
	return key->name ? strcmp(nw_rec_name(t, i), key->name) == 0 : nw_rec_id(t, i) == key->id;
}

/* The first record under the key, in file order: 0 (*out), ENOENT, ENOMEM. */
static int nw_table_find(struct nw_table *t, const struct nw_key *key, const void **out)
{
	const struct nw_index *ix = key->name ? &t->by_name : &t->by_id;
	uint32_t h;

	if (key->name == NULL && !nw_table_more(t))
		return ENOMEM;      /* the index by number is built on first use */
	h = key->name ? nw_hash_str(key->name) : nw_hash_u32(key->id);
	NW_FOREACH(ix, h, n) {
		if (nw_rec_matches(t, nw_index_rec(ix, n), key)) {
			*out = nw_rec(t, nw_index_rec(ix, n));
			return 0;
		}
	}
	return ENOENT;
}

int nw_source_find(struct nw_source *src, const struct nw_key *key, nw_copy_fn copy,
		   void *rec, char *buf, size_t len)
{
	struct nw_table *t = nw_table_get(src);
	const void *found = NULL;
	int rc = t != NULL ? nw_table_find(t, key, &found) : ENOENT;

	if (rc == 0)
		rc = copy(found, rec, buf, len);
	nw_table_put(t);
	return rc;
}
