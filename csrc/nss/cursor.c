/*
 * Enumeration cursors (getpwent, getgrent, getspent, gethostent): the
 * file's records in order, then those of the module when the database
 * has one.  One cursor per database, shared by the threads as glibc's,
 * under its own lock; the snapshot it walks is held until it is rewound.
 */
#include <errno.h>

#include "nw.h"

void nw_cursor_rewind(struct nw_cursor *c)
{
	const struct nw_module_enum *me;

	cw_lock(&c->lock);
	me = c->module ? c->module() : NULL;
	nw_table_put(c->table);
	c->table = NULL;
	c->pos = 0;
	c->started = false;
	if (c->state == NW_CURSOR_MODULE && me && me->end)
		me->end();
	c->state = NW_CURSOR_FILE;
	cw_unlock(&c->lock);
}

/* The next record of the file: 0, ERANGE, or ENOENT at its end. */
static int nw_cursor_file(struct nw_cursor *c, void *rec, char *buf, size_t len)
{
	int rc = ENOENT;

	if (!c->started) {
		c->table = nw_table_get(c->src);
		c->started = true;
	}
	while (c->table != NULL && c->pos < c->table->count) {
		rc = c->copy(nw_rec(c->table, c->pos), rec, buf, len);
		if (rc != NW_SKIP)
			break;
		rc = ENOENT;
		c->pos++;
	}
	if (rc == 0)
		c->pos++;
	return rc;
}

/* After the file: the module's setXXent, when it enumerates. */
static bool nw_cursor_module_start(struct nw_cursor *c)
{
	const struct nw_module_enum *me = c->module ? c->module() : NULL;

	if (me == NULL || me->get == NULL)
		return false;
	if (me->set)
		me->set();
	return true;
}

/* 0, ERANGE (the same record is tried again), ENOENT at the end, or an error. */
static int nw_cursor_next(struct nw_cursor *c, void *rec, char *buf, size_t len)
{
	int rc, err = 0;

	if (c->state == NW_CURSOR_FILE) {
		rc = nw_cursor_file(c, rec, buf, len);
		if (rc != ENOENT)
			return rc;
		c->state = nw_cursor_module_start(c) ? NW_CURSOR_MODULE : NW_CURSOR_DONE;
	}
	if (c->state == NW_CURSOR_DONE)
		return ENOENT;
	rc = nw_status_rc(c->module()->get(rec, buf, len, &err), err);
	if (rc == ENOENT)
		c->state = NW_CURSOR_DONE;
	return rc;
}

int nw_cursor_get_r(struct nw_cursor *c, void *rec, char *buf, size_t len)
{
	int rc;

	cw_lock(&c->lock);
	rc = nw_cursor_next(c, rec, buf, len);
	cw_unlock(&c->lock);
	errno = rc;
	return rc;
}

int nw_cursor_get(struct nw_cursor *c, void *rec)
{
	int rc;

	cw_lock(&c->lock);
	do {
		if (c->buf.len == 0 && !nw_static_grow(&c->buf)) {
			rc = ENOMEM;
			break;
		}
		rc = nw_cursor_next(c, rec, c->buf.buf, c->buf.len);
	} while (rc == ERANGE && nw_static_grow(&c->buf));
	cw_unlock(&c->lock);
	errno = rc;
	return rc;
}
