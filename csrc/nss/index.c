/*
 * Hash indexes over a table's records, and small array helpers.
 *
 * An index files (hash, record) nodes in an open-addressing table; a
 * lookup walks the probe of one hash and the caller compares the real key.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

uint32_t nw_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

uint32_t nw_hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

uint32_t nw_hash_casestr(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

uint32_t nw_hash_u32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352du;
	v ^= v >> 15;
	v *= 0x846ca68bu;
	v ^= v >> 16;
	return v;
}

bool nw_grow(void **array, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*array, ncap * size);

	if (p == NULL)
		return false;
	*array = p;
	*cap = ncap;
	return true;
}

bool nw_pool_list(struct nw_pool *p, char **line, char sep, size_t *start)
{
	char *s;

	*start = p->n;
	do {
		s = nw_list_next(line, sep);
		if (!nw_grow((void **)&p->v, &p->cap, p->n, sizeof(char *)))
			return false;
		p->v[p->n++] = s;
	} while (s != NULL);
	return true;
}

bool nw_index_add(struct nw_index *ix, uint32_t hash, uint32_t rec)
{
	if (ix->count == ix->cap) {
		size_t cap = ix->cap;
		void *nodes = ix->nodes;

		if (ix->count >= UINT32_MAX / 4 ||
		    !nw_grow(&nodes, &cap, ix->count, sizeof(*ix->nodes)))
			return false;
		ix->nodes = nodes;
		ix->cap = (uint32_t)cap;
	}
	ix->nodes[ix->count++] = (struct nw_node){ hash, rec };
	return true;
}

bool nw_index_finish(struct nw_index *ix)
{
	uint32_t size = 16;

	while (size < ix->count * 2u)
		size *= 2;
	ix->slots = malloc(size * sizeof(*ix->slots));
	if (ix->slots == NULL)
		return false;
	memset(ix->slots, 0xff, size * sizeof(*ix->slots));
	ix->mask = size - 1;
	/* In file order: a later node of a hash lands further along its probe. */
	for (uint32_t i = 0; i < ix->count; i++) {
		uint32_t pos = ix->nodes[i].hash & ix->mask;

		while (ix->slots[pos].rec != NW_NONE)
			pos = (pos + 1) & ix->mask;
		ix->slots[pos] = ix->nodes[i];
	}
	free(ix->nodes);
	ix->nodes = NULL;
	ix->cap = 0;
	return true;
}

void nw_index_free(struct nw_index *ix)
{
	free(ix->nodes);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

uint32_t nw_index_next(const struct nw_index *ix, uint32_t pos, uint32_t hash)
{
	for (;; pos = (pos + 1) & ix->mask) {
		const struct nw_node *slot = &ix->slots[pos];

		if (slot->rec == NW_NONE)
			return NW_NONE;
		if (slot->hash == hash)
			return pos;
	}
}

uint32_t nw_index_first(const struct nw_index *ix, uint32_t hash)
{
	if (ix->slots == NULL)
		return NW_NONE;
	return nw_index_next(ix, hash & ix->mask, hash);
}
