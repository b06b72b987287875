/*
 * Lookups by key (getpwnam, getpwuid, getgrnam, getgrgid, getspnam and
 * their _r forms): the file, then the module; the _r convention; and the
 * plain calls, which are the _r call into per-thread storage that grows
 * until the answer fits.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "nw.h"

int nw_db_lookup(const struct nw_db *db, const struct nw_key *key, void *rec, char *buf,
		 size_t len)
{
	const struct nw_module_keyed *m;
	int rc = nw_source_find(db->src, key, db->copy, rec, buf, len), err = 0;

	if (rc != ENOENT || db->module == NULL || (m = db->module()) == NULL)
		return rc;
	if (key->name != NULL && m->byname)
		return nw_status_rc(m->byname(key->name, rec, buf, len, &err), err);
	if (key->name == NULL && m->byid)
		return nw_status_rc(m->byid(key->id, rec, buf, len, &err), err);
	return ENOENT;
}

void *nw_db_r(const struct nw_db *db, const struct nw_key *key, void *rec, char *buf,
	      size_t len, int *rc)
{
	int found = nw_db_lookup(db, key, rec, buf, len);

	*rc = found == ENOENT ? 0 : found;
	errno = *rc;
	return found == 0 ? rec : NULL;
}

void *nw_db_static(const struct nw_db *db, const struct nw_key *key, void *rec)
{
	struct nw_static_buf *sb = nw_tls_buf(db->slot);
	int saved = errno, rc;

	do {
		if (sb->len == 0 && !nw_static_grow(sb)) {
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_db_lookup(db, key, rec, sb->buf, sb->len);
	} while (rc == ERANGE && nw_static_grow(sb));
	errno = rc == 0 || rc == ENOENT ? saved : rc;
	return rc == 0 ? rec : NULL;
}

bool nw_static_grow(struct nw_static_buf *b)
{
	size_t len = b->len ? b->len * 2 : 1024;
	char *p = realloc(b->buf, len);

	if (p == NULL)
		return false;
	b->buf = p;
	b->len = len;
	return true;
}

struct nw_tls {
	struct nw_static_buf bufs[NW_TLS_SLOTS];
	bool registered;
};

static pthread_key_t nw_tls_key;
static pthread_once_t nw_tls_once = PTHREAD_ONCE_INIT;
static bool nw_tls_key_ok;

static void nw_tls_free(void *p)
{
	struct nw_tls *tls = p;

	for (int i = 0; i < NW_TLS_SLOTS; i++) {
		free(tls->bufs[i].buf);
		tls->bufs[i] = (struct nw_static_buf){ NULL, 0 };
	}
}

static void nw_tls_make_key(void)
{
	nw_tls_key_ok = pthread_key_create(&nw_tls_key, nw_tls_free) == 0;
}

struct nw_static_buf *nw_tls_buf(enum nw_tls_slot slot)
{
	static _Thread_local struct nw_tls tls;

	if (!tls.registered) {
		pthread_once(&nw_tls_once, nw_tls_make_key);
		if (nw_tls_key_ok)
			pthread_setspecific(nw_tls_key, &tls);
		tls.registered = true;
	}
	return &tls.bufs[slot];
}
