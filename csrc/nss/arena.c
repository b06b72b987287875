/*
 * The memory of one snapshot: its text, records, lists and indexes are
 * carved from a few blocks and freed together with the table.
 *
 * Why an arena: loading a 100,000-line file touches some 15 MB, and in a
 * fresh process each 4 KiB page of it is a page fault (about 2 µs in a
 * VM, more than the parsing).  Blocks of NW_HUGE or more are mapped on a
 * 2 MiB boundary and marked MADV_HUGEPAGE, so that where transparent huge
 * pages are enabled, even only on request (a common default), one fault
 * maps 2 MiB.  Such a block is a reservation: the pages of it never
 * touched cost nothing.  Small tables take blocks from malloc (a huge
 * page for a ten-line file would be waste).  A table is built by one
 * thread, and its lazy indexes under nw_index_lock, so no lock is needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "nw.h"

#define NW_HUGE ((size_t)2 << 20)
#define NW_ALIGN 16

/* At the start of each block. */
struct nw_block {
	struct nw_block *next;
	size_t size;            /* mapped bytes; 0 when from malloc */
	max_align_t align[];
};

struct nw_arena {
	struct nw_block *blocks;
	char *p, *end;          /* free room of the newest block */
	bool zeroed;            /* that room is as mmap gave it: zeros */
	char *last;             /* the newest allocation, which may grow in place */
	size_t hint;            /* size of the first block */
};

struct nw_arena *nw_arena_new(size_t hint)
{
	struct nw_arena *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->hint = hint;
	return a;
}

void nw_arena_free(struct nw_arena *a)
{
	if (a == NULL)
		return;
	for (struct nw_block *b = a->blocks, *next; b != NULL; b = next) {
		next = b->next;
		if (b->size != 0)
			munmap(b, b->size);
		else
			free(b);
	}
	free(a);
}

/* `size` bytes on a 2 MiB boundary, asking for huge pages; NULL if none. */
static void *nw_map_huge(size_t size)
{
	size_t span = size + NW_HUGE;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *start;

	if (raw == MAP_FAILED)
		return NULL;
	start = (char *)(((uintptr_t)raw + NW_HUGE - 1) & ~(uintptr_t)(NW_HUGE - 1));
	if (start > raw)
		munmap(raw, (size_t)(start - raw));
	if (start + size < raw + span)
		munmap(start + size, (size_t)(raw + span - (start + size)));
	/* Only advice: without transparent huge pages, plain pages serve. */
	madvise(start, size, MADV_HUGEPAGE);
	return start;
}

/* A new block with room for `need` bytes; false when out of memory. */
static bool nw_arena_block(struct nw_arena *a, size_t need)
{
	size_t size = sizeof(struct nw_block) + need, want = a->blocks ? size : a->hint;
	struct nw_block *b;

	if (size < want)
		size = want;
	if (size >= NW_HUGE) {
		size = (size + NW_HUGE - 1) & ~(NW_HUGE - 1);
		b = nw_map_huge(size);
	} else {
		b = malloc(size);
	}
	if (b == NULL)
		return false;
	b->next = a->blocks;
	b->size = size >= NW_HUGE ? size : 0;
	a->zeroed = b->size != 0;
	a->blocks = b;
	a->p = (char *)b->align;
	a->end = (char *)b + size;
	return true;
}

void *nw_arena_alloc(struct nw_arena *a, size_t n)
{
	size_t room = (size_t)(a->end - a->p);

	if (n > SIZE_MAX / 4)
		return NULL;
	n = (n + NW_ALIGN - 1) & ~(size_t)(NW_ALIGN - 1);
	if (n > room && !nw_arena_block(a, n))
		return NULL;
	a->last = a->p;
	a->p += n;
	return a->last;
}

void *nw_arena_zalloc(struct nw_arena *a, size_t n)
{
	void *p = nw_arena_alloc(a, n);

	/* Memory handed out once is never handed out again: the room left in
	 * a mapped block has not been written.  Not clearing it spares a
	 * pass over a big index (its pages are cleared when first touched). */
	if (p != NULL && !a->zeroed)
		memset(p, 0, n);
	return p;
}

void *nw_arena_grow(struct nw_arena *a, void *p, size_t old, size_t n)
{
	size_t need = (n + NW_ALIGN - 1) & ~(size_t)(NW_ALIGN - 1);
	char *q;

	/* The newest allocation grows in place while its block has room. */
	if (p != NULL && p == a->last && n <= SIZE_MAX / 4 &&
	    need <= (size_t)(a->end - (char *)p)) {
		a->p = (char *)p + need;
		return p;
	}
	q = nw_arena_alloc(a, n);
	if (q != NULL && p != NULL)
		memcpy(q, p, old);
	return q;
}

bool nw_arena_grow_array(struct nw_arena *a, void **array, size_t *cap, size_t count,
			 size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p;

	if (count < *cap)
		return true;
	if (ncap > SIZE_MAX / size)
		return false;
	p = nw_arena_grow(a, *array, *cap * size, ncap * size);
	if (p == NULL)
		return false;
	*array = p;
	*cap = ncap;
	return true;
}
