/*
 * Loading a database file into a table, and seeing when it changed.
 *
 * A lookup first asks the inotify watch (watch.c) whether anything
 * happened to the file; when it cannot say "nothing", the path is
 * stat()ed and compared with what was read: device, inode, size, and
 * modification and change times to the nanosecond.  An edit in place changes mtime/ctime/size, a file replaced
 * by rename() changes the inode, so both are seen on the next lookup.
 * The file is read whole, then fstat()ed again: if it changed while being
 * read, the recorded stamp is the earlier one and the next lookup reads
 * it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "nw.h"

const char *nw_source_path(const struct nw_source *src)
{
	const char *value = getenv(src->var);

	if (value == NULL || *value == '\0' || cw_secure_exec())
		return NULL;
	return value;
}

struct nw_table *nw_table_ref(struct nw_table *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void nw_table_put(struct nw_table *t)
{
	if (t == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
		nw_table_free(t);
}

static void nw_stamp_of(const struct stat *st, struct nw_stamp *out)
{
	*out = (struct nw_stamp){
		.dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
		.mtim = st->st_mtim, .ctim = st->st_ctim, .missing = false,
	};
}

static bool nw_stamp_equal(const struct nw_stamp *a, const struct nw_stamp *b)
{
	if (a->missing || b->missing)
		return a->missing == b->missing;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec &&
	       a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/*
 * The first block of a table's arena: room for the text, its records and
 * indexes (about 2 to 4 times the text for the usual files), so that a
 * big file's table is a few huge pages.
 */
static size_t nw_arena_hint(size_t size)
{
	return size < SIZE_MAX / 8 ? size * 4 + 16384 : SIZE_MAX / 2;
}

/* Reads `fd` to its end into `*buf` (`cap` bytes, in the arena); -1 with errno. */
static ssize_t nw_read_all(int fd, struct nw_arena *a, char **buf, size_t cap)
{
	size_t used = 0;

	for (;;) {
		ssize_t n;

		if (used == cap) {
			/* The file grew since fstat(); keep room for the NULs. */
			char *p = nw_arena_grow(a, *buf, cap + 1 + NW_TEXT_PAD,
						cap * 2 + 1 + NW_TEXT_PAD);

			if (p == NULL)
				return -1;
			*buf = p;
			cap *= 2;
		}
		n = read(fd, *buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)used;
		used += (size_t)n;
	}
}

/*
 * The whole file in a new arena (*arena), followed by 1 + NW_TEXT_PAD
 * NULs; NULL with errno set.
 */
static char *nw_read_file(const char *path, struct nw_arena **arena, size_t *len,
			  struct nw_stamp *stamp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct nw_arena *a = NULL;
	char *buf = NULL;
	size_t cap;
	ssize_t used = -1;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0) {
		nw_stamp_of(&st, stamp);
		/* One byte more than the size, to see the end in the first read. */
		cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
		a = nw_arena_new(nw_arena_hint(cap));
		buf = a ? nw_arena_alloc(a, cap + 1 + NW_TEXT_PAD) : NULL;
		if (buf == NULL)
			errno = ENOMEM;
		else
			used = nw_read_all(fd, a, &buf, cap);
	}
	if (used < 0) {
		int saved = errno;

		nw_arena_free(a);
		close(fd);
		errno = saved;
		return NULL;
	}
	close(fd);
	memset(buf + used, 0, 1 + NW_TEXT_PAD);
	*len = (size_t)used;
	*arena = a;
	return buf;
}

static struct nw_table *nw_load(struct nw_source *src, const char *path,
				struct nw_stamp *stamp)
{
	size_t len = 0;
	struct nw_arena *a = NULL;
	char *text = nw_read_file(path, &a, &len, stamp);
	struct nw_table *t;

	if (text == NULL) {
		int err = errno;

		if (!src->stamp.missing || src->table == NULL ||
		    src->path == NULL || strcmp(src->path, path) != 0)
			cw_log(CW_WARN, "NSS_WRAPPER_%s=%s: %s; the database is empty",
			       src->suffix, path, strerror(err));
		stamp->missing = true;
		a = nw_arena_new(0);
		text = a ? nw_arena_alloc(a, 1 + NW_TEXT_PAD) : NULL;
		if (text == NULL) {
			nw_arena_free(a);
			return NULL;
		}
		memset(text, 0, 1 + NW_TEXT_PAD);
		len = 0;
	}
	t = src->build(a, text, len, path);
	if (t == NULL) {
		cw_log(CW_ERROR, "%s: out of memory while loading it", path);
		return NULL;
	}
	atomic_init(&t->refs, 1);
	CW_LOG(CW_DEBUG, "loaded %s (%zu bad lines skipped)", path, t->bad_lines);
	return t;
}

/* Under the source's lock: reads the file again if it is not what was read. */
static void nw_refresh(struct nw_source *src, const char *path)
{
	struct nw_stamp now = { .missing = true };
	struct stat st;

	nw_watch_arm(src, path);
	if (stat(path, &st) == 0)
		nw_stamp_of(&st, &now);
	if (src->table == NULL || src->path == NULL || strcmp(src->path, path) != 0 ||
	    !nw_stamp_equal(&now, &src->stamp)) {
		struct nw_stamp read_stamp = { .missing = true };
		char *copy = strdup(path);
		struct nw_table *fresh = copy ? nw_load(src, path, &read_stamp) : NULL;

		if (fresh != NULL) {
			nw_table_put(src->table);
			src->table = fresh;
			free(src->path);
			src->path = copy;
			fresh->path = copy;
			src->stamp = read_stamp;
		} else {
			free(copy);
		}
	}
}

struct nw_table *nw_table_get(struct nw_source *src)
{
	const char *path = nw_source_path(src);
	struct nw_table *t;
	int saved = errno;
	bool quiet;

	if (path == NULL)
		return NULL;
	quiet = nw_watch_quiet(src);
	cw_lock(&src->lock);
	if (!quiet || src->table == NULL || !nw_watch_covers(src, path) ||
	    strcmp(src->path, path) != 0)
		nw_refresh(src, path);
	t = src->table ? nw_table_ref(src->table) : NULL;
	cw_unlock(&src->lock);
	errno = saved;
	return t;
}

struct cw_mutex nw_index_lock = CW_MUTEX_INIT;

bool nw_table_more(struct nw_table *t)
{
	bool ok = true;

	if (atomic_load_explicit(&t->more_ready, memory_order_acquire))
		return true;
	cw_lock(&nw_index_lock);
	if (!atomic_load_explicit(&t->more_ready, memory_order_relaxed)) {
		ok = t->build_more == NULL || t->build_more(t);
		if (ok)
			atomic_store_explicit(&t->more_ready, true, memory_order_release);
	}
	cw_unlock(&nw_index_lock);
	return ok;
}

size_t nw_count_lines(const char *text, size_t len)
{
	size_t n = 1;
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

char *nw_next_line(char **cursor, char *end)
{
	char *line = *cursor, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL) {
		*cursor = end;
	} else {
		*nl = '\0';
		*cursor = nl + 1;
	}
	return line;
}

void nw_bad_line(struct nw_table *t, size_t lineno, const char *why)
{
	t->bad_lines++;
	cw_log(CW_WARN, "%s:%zu: %s; line skipped", t->path, lineno, why);
}
