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

bool nw_pool_list(struct nw_arena *a, struct nw_pool *p, char **line, char sep,
		  size_t *start)
{
	char *s;

	*start = p->n;
	do {
		s = nw_list_next(line, sep);
		if (!nw_arena_grow_array(a, (void **)&p->v, &p->cap, p->n, sizeof(char *)))
			return false;
		p->v[p->n++] = s;
	} while (s != NULL);
	return true;
}

bool nw_index_init(struct nw_index *ix, size_t count, struct nw_arena *a)
{
	size_t size = 16;

	if (count > UINT32_MAX / 4)
		return false;
	while (size < count * 2)
		size *= 2;
	ix->slots = nw_arena_alloc(a, size * sizeof(*ix->slots));
	if (ix->slots == NULL)
		return false;
	memset(ix->slots, 0xff, size * sizeof(*ix->slots));
	ix->mask = (uint32_t)(size - 1);
	ix->count = 0;
	ix->cap = (uint32_t)count;
	return true;
}

/* Files a node at the end of its hash's probe. */
static void nw_index_put(struct nw_index *ix, struct nw_node node)
{
	uint32_t pos = node.hash & ix->mask;

	while (ix->slots[pos].rec != NW_NONE)
		pos = (pos + 1) & ix->mask;
	ix->slots[pos] = node;
}

/*
 * The home slots of a big index are cache misses: each node waits in a
 * short queue while its slot is fetched, and is filed NW_QUEUE nodes
 * later, still in file order.
 */
bool nw_index_add(struct nw_index *ix, uint32_t hash, uint32_t rec)
{
	uint32_t at = ix->count % NW_QUEUE;

	/* More than planned would fill the table past half (or loop forever). */
	if (ix->count >= ix->cap)
		return false;
	if (ix->count >= NW_QUEUE)
		nw_index_put(ix, ix->queue[at]);
	__builtin_prefetch(&ix->slots[hash & ix->mask], 1);
	ix->queue[at] = (struct nw_node){ hash, rec };
	ix->count++;
	return true;
}

void nw_index_finish(struct nw_index *ix)
{
	uint32_t queued = ix->count < NW_QUEUE ? ix->count : NW_QUEUE;

	for (uint32_t i = ix->count - queued; i < ix->count; i++)
		nw_index_put(ix, ix->queue[i % NW_QUEUE]);
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
