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

/*
 * String hashes take 8 bytes at a time: a byte-at-a-time hash is a chain
 * of one multiplication per byte, and hashing 200,000 host names was a
 * tenth of loading a hosts file.
 */
#define NW_ONES 0x0101010101010101u

/* The ASCII capitals of 8 bytes made small, as nw_hash_casestr compares. */
static uint64_t nw_lower8(uint64_t w)
{
	uint64_t low7 = w & ~(NW_ONES * 0x80);
	uint64_t from_a = low7 + NW_ONES * (0x80 - 'A');     /* top bit: >= 'A' */
	uint64_t past_z = low7 + NW_ONES * (0x80 - 'Z' - 1); /* top bit: > 'Z' */
	uint64_t upper = from_a & ~past_z & ~w & NW_ONES * 0x80;

	return w | upper >> 2;  /* 0x80 >> 2 is the 0x20 of the small letter */
}

static uint64_t nw_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15u;
	return h ^ h >> 32;
}

/*
 * The last `n` (1 to 7) bytes of a string of `len`: when it is 8 bytes
 * long or more, the 8 bytes that end it, without those already taken.
 */
static uint64_t nw_tail(const char *s, size_t n, size_t len)
{
	uint64_t w = 0;

	if (len < 8) {
		memcpy(&w, s, n);
		return w;
	}
	memcpy(&w, s + n - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return w >> 8 * (8 - n);
#else
	return w << 8 * (8 - n);
#endif
}

static uint32_t nw_hash_words(const char *s, bool fold)
{
	size_t len = strlen(s), n = len;
	uint64_t h = len, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = nw_mix(h, fold ? nw_lower8(w) : w);
	}
	if (n > 0) {
		w = nw_tail(s, n, len);
		h = nw_mix(h, fold ? nw_lower8(w) : w);
	}
	/* The index keeps the low bits: fold the high ones in. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	return (uint32_t)(h ^ h >> 32);
}

uint32_t nw_hash_str(const char *s)
{
	return nw_hash_words(s, false);
}

uint32_t nw_hash_casestr(const char *s)
{
	return nw_hash_words(s, true);
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
		if (p->n == p->cap &&
		    !nw_arena_grow_array(a, (void **)&p->v, &p->cap, p->n, sizeof(char *)))
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
	ix->slots = nw_arena_zalloc(a, size * sizeof(*ix->slots));
	if (ix->slots == NULL)
		return false;
	ix->mask = (uint32_t)(size - 1);
	ix->count = 0;
	ix->cap = (uint32_t)count;
	return true;
}

/* Files a node at the end of its hash's probe. */
static void nw_index_put(struct nw_index *ix, struct nw_node node)
{
	uint32_t pos = node.hash & ix->mask;

	while (ix->slots[pos].rec1 != 0)
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
	ix->queue[at] = (struct nw_node){ hash, rec + 1 };
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

		if (slot->rec1 == 0)
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
