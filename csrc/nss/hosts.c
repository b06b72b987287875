/*
 * Host names: gethostbyname, gethostbyname2, gethostbyaddr and their _r
 * forms, sethostent/gethostent/endhostent, from NSS_WRAPPER_HOSTS
 * (hosts(5)), answered as glibc's files module answers them:
 *
 *  - '#' starts a comment anywhere; a line is "address name [alias...]";
 *  - names compare without regard to case; every line naming the host
 *    adds its addresses ("multi on", glibc's default);
 *  - asked for AF_INET, an IPv6 line counts only when its address is
 *    IPv4-mapped (the IPv4 address) or ::1 (as 127.0.0.1);
 *  - gethostent gives the lines one by one, as AF_INET entries.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "log.h"
#include "nw.h"
#include "shim.h"

struct nw_hline {
	bool v6;
	unsigned char addr[16];
	char *name;
	char **aliases;
	bool has_v4;            /* the AF_INET view exists */
	unsigned char v4[4];
};

struct nw_ho_table {
	struct nw_table base;   /* by_name: without regard to case, every name */
	struct nw_pool aliases; /* every line's aliases */
	struct nw_index by_v4, by_v6;
};

/* Lines are found by hosts.c's own index: name and number are not used. */
static const struct nw_layout nw_ho_layout = NW_LAYOUT(struct nw_hline, name, name);

/*
 * The usual address of a hosts line, a dotted quad as inet_pton(AF_INET)
 * reads it (four numbers up to 255, no leading zero), read without
 * glibc's table search per character: that was a seventh of loading a
 * hosts file.  false for anything else, which inet_pton then decides.
 */
static bool nw_quad(const char *s, unsigned char out[4])
{
	for (int i = 0; i < 4; i++, s++) {
		unsigned v = (unsigned)(*s - '0'), d;
		int digits = 1;

		if (v > 9)
			return false;
		while ((d = (unsigned)(s[digits] - '0')) <= 9 && v != 0 && digits < 3) {
			v = v * 10 + d;
			digits++;
		}
		s += digits;
		if (v > 255 || *s != (i < 3 ? '.' : '\0'))
			return false;
		out[i] = (unsigned char)v;
	}
	return true;
}

/* A line (padded as nw_token_end needs): its address and name, the rest left. */
static bool nw_ho_parse(char *line, struct nw_hline *h)
{
	char *p = line, *addr;
	static const unsigned char loop4[4] = { 127, 0, 0, 1 };

	memset(h, 0, sizeof(*h));
	p = nw_token_end(p);
	addr = line;
	if (*p)
		*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (nw_quad(addr, h->addr) || inet_pton(AF_INET, addr, h->addr) == 1) {
		h->v6 = false;
		h->has_v4 = true;
		memcpy(h->v4, h->addr, 4);
	} else if (inet_pton(AF_INET6, addr, h->addr) == 1) {
		struct in6_addr a;

		h->v6 = true;
		memcpy(&a, h->addr, 16);
		if (IN6_IS_ADDR_V4MAPPED(&a)) {
			h->has_v4 = true;
			memcpy(h->v4, h->addr + 12, 4);
		} else if (IN6_IS_ADDR_LOOPBACK(&a)) {
			h->has_v4 = true;
			memcpy(h->v4, loop4, 4);
		}
	} else {
		return false;
	}
	h->name = p;
	p = nw_token_end(p);
	if (*p)
		*p++ = '\0';
	h->aliases = (char **)p;    /* the rest, split by the caller */
	return true;
}

/* A line's name (k 0), then its aliases; NULL after the last. */
static const char *nw_hline_name(const struct nw_hline *h, size_t k)
{
	return k == 0 ? h->name : h->aliases[k - 1];
}

#define NW_LINE_HASHES 16

/*
 * Files each name of a line once: a line naming the host twice is still
 * one match.  Names are compared only when their hashes are equal (for
 * the first NW_LINE_HASHES names of the line, then always).
 */
static bool nw_ho_index_line(struct nw_table *t, size_t i, const struct nw_hline *h)
{
	uint32_t hashes[NW_LINE_HASHES];
	const char *name;

	for (size_t k = 0; (name = nw_hline_name(h, k)) != NULL; k++) {
		uint32_t hash = nw_hash_casestr(name);
		bool repeat = false;

		for (size_t j = 0; j < k && !repeat; j++)
			repeat = (j >= NW_LINE_HASHES || hashes[j] == hash) &&
				 strcasecmp(nw_hline_name(h, j), name) == 0;
		if (k < NW_LINE_HASHES)
			hashes[k] = hash;
		if (!repeat && !nw_index_add(&t->by_name, hash, (uint32_t)i))
			return false;
	}
	return true;
}

static bool nw_ho_more(struct nw_table *base)
{
	struct nw_ho_table *t = (struct nw_ho_table *)base;

	if (!nw_index_init(&t->by_v4, base->count, base->arena) ||
	    !nw_index_init(&t->by_v6, base->count, base->arena))
		return false;
	for (size_t i = 0; i < base->count; i++) {
		const struct nw_hline *h = nw_rec(base, i);

		if (h->has_v4 && !nw_index_add(&t->by_v4, nw_hash_bytes(h->v4, 4), (uint32_t)i))
			return false;
		if (h->v6 && !nw_index_add(&t->by_v6, nw_hash_bytes(h->addr, 16), (uint32_t)i))
			return false;
	}
	nw_index_finish(&t->by_v4);
	nw_index_finish(&t->by_v6);
	return true;
}

/* '#' starts a comment anywhere on a hosts(5) line. */
static enum nw_parsed nw_ho_parse_line(char *line, void *rec, void *ctx)
{
	struct nw_ho_table *t = ctx;
	struct nw_hline *h = rec;
	char *hash = strchr(line, '#'), *rest;
	size_t start;

	if (hash != NULL)
		*hash = '\0';
	if (!nw_ho_parse(line, h))
		return NW_REFUSED;
	rest = (char *)h->aliases;
	if (!nw_pool_list(t->base.arena, &t->aliases, &rest, ' ', &start))
		return NW_NOMEM;
	/* aliases holds the offset of its list until the pool stops moving. */
	h->aliases = (char **)(uintptr_t)start;
	return NW_PARSED;
}

/* Every name of every line, once per line. */
static bool nw_ho_index_names(struct nw_ho_table *t)
{
	struct nw_table *base = &t->base;

	/* A line has a name and its aliases: the pool holds those and a NULL. */
	if (!nw_index_init(&base->by_name, t->aliases.n, base->arena))
		return false;
	for (size_t i = 0; i < base->count; i++) {
		struct nw_hline *h = nw_rec(base, i);

		h->aliases = t->aliases.v + (uintptr_t)h->aliases;
		if (!nw_ho_index_line(base, i, h))
			return false;
	}
	nw_index_finish(&base->by_name);
	return true;
}

static struct nw_table *nw_ho_build(struct nw_arena *a, char *text, size_t len,
				    const char *path)
{
	struct nw_ho_table *t;
	struct nw_table *base = nw_table_new(sizeof(*t), a, text, len, path, &nw_ho_layout);

	if (base == NULL)
		return NULL;
	t = (struct nw_ho_table *)base;
	base->build_more = nw_ho_more;
	if (!nw_table_parse(base, len, nw_ho_parse_line, t, "not an IPv4 or IPv6 address") ||
	    !nw_ho_index_names(t))
		return nw_table_fail(base);
	return base;
}

struct nw_source nw_hosts_source = NW_SOURCE("HOSTS", nw_ho_build);

static bool nw_hline_names(const struct nw_hline *h, const char *name)
{
	if (strcasecmp(h->name, name) == 0)
		return true;
	for (char **a = h->aliases; *a; a++)
		if (strcasecmp(*a, name) == 0)
			return true;
	return false;
}

/* The address of a line as seen when asking for `af`; NULL if none. */
static const unsigned char *nw_hline_addr(const struct nw_hline *h, int af)
{
	if (af == AF_INET)
		return h->has_v4 ? h->v4 : NULL;
	if (af == AF_INET6)
		return h->v6 ? h->addr : NULL;
	return h->addr;
}

/* ---- building a hostent in a caller's buffer ------------------------ */

struct nw_hbuild {
	char *p, *end;
	bool overflow;
};

static void *nw_hb_take(struct nw_hbuild *b, size_t n, size_t align)
{
	uintptr_t at = ((uintptr_t)b->p + align - 1) & ~(uintptr_t)(align - 1);

	if (b->overflow || at > (uintptr_t)b->end || (uintptr_t)b->end - at < n) {
		b->overflow = true;
		return NULL;
	}
	b->p = (char *)(at + n);
	return (void *)at;
}

static char *nw_hb_str(struct nw_hbuild *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = nw_hb_take(b, n, 1);

	return d ? memcpy(d, s, n) : NULL;
}

/*
 * Fills `he` from a name and lists of aliases and addresses.  0 or
 * ERANGE.
 */
static int nw_hostent_fill(struct hostent *he, char *buf, size_t buflen, int af,
			   const char *name, const char *const *aliases, size_t naliases,
			   const unsigned char *const *addrs, size_t naddrs)
{
	struct nw_hbuild b = { buf, buf + buflen, false };
	size_t alen = af == AF_INET ? 4 : 16;
	char **al = nw_hb_take(&b, (naliases + 1) * sizeof(char *), sizeof(char *));
	char **ad = nw_hb_take(&b, (naddrs + 1) * sizeof(char *), sizeof(char *));

	for (size_t i = 0; i < naddrs && !b.overflow; i++) {
		ad[i] = nw_hb_take(&b, alen, 4);
		if (ad[i])
			memcpy(ad[i], addrs[i], alen);
	}
	he->h_name = nw_hb_str(&b, name);
	for (size_t i = 0; i < naliases && !b.overflow; i++)
		al[i] = nw_hb_str(&b, aliases[i]);
	if (b.overflow)
		return ERANGE;
	al[naliases] = NULL;
	ad[naddrs] = NULL;
	he->h_aliases = al;
	he->h_addr_list = ad;
	he->h_addrtype = af;
	he->h_length = (int)alen;
	return 0;
}

/*
 * Lists of pointers used while merging lines: on the stack up to a few
 * entries (the usual case: no allocation per lookup), then on the heap.
 */
struct nw_plist {
	const void **v;
	size_t n, cap;
	const void *inline_v[16];
};

#define NW_PLIST_INIT(l) ((l).v = (l).inline_v, (l).n = 0, (l).cap = 16)

static bool nw_plist_add(struct nw_plist *l, const void *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap * 2;
		const void **v = l->v == l->inline_v ? malloc(cap * sizeof(void *))
						     : realloc(l->v, cap * sizeof(void *));

		if (v == NULL)
			return false;
		if (l->v == l->inline_v)
			memcpy(v, l->inline_v, sizeof(l->inline_v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return true;
}

static void nw_plist_free(struct nw_plist *l)
{
	if (l->v != l->inline_v)
		free(l->v);
}

/*
 * The file's answer for a name.  0 found, ENOENT not there, ERANGE,
 * ENOMEM.
 */
static int nw_ho_byname(const char *name, int af, struct hostent *he, char *buf,
			size_t buflen)
{
	struct nw_ho_table *t = (struct nw_ho_table *)nw_table_get(&nw_hosts_source);
	uint32_t hash = nw_hash_casestr(name);
	struct nw_plist aliases, addrs;
	const struct nw_hline *first = NULL;
	int rc = ENOENT;
	bool ok = true;

	if (t == NULL)
		return ENOENT;
	NW_PLIST_INIT(aliases);
	NW_PLIST_INIT(addrs);
	NW_FOREACH(&t->base.by_name, hash, n) {
		const struct nw_hline *h = nw_rec(&t->base, nw_index_rec(&t->base.by_name, n));
		const unsigned char *a = nw_hline_addr(h, af);

		if (a == NULL || !nw_hline_names(h, name))
			continue;
		if (first == NULL) {
			first = h;
			for (char **p = h->aliases; *p && ok; p++)
				ok = nw_plist_add(&aliases, *p);
		} else {
			/* glibc appends the line's aliases, then its name when it is
			 * not the first line's name; repeats are kept. */
			for (char **p = h->aliases; *p && ok; p++)
				ok = nw_plist_add(&aliases, *p);
			if (ok && strcmp(h->name, first->name) != 0)
				ok = nw_plist_add(&aliases, h->name);
		}
		ok = ok && nw_plist_add(&addrs, a);
		if (!ok)
			break;
	}
	if (!ok)
		rc = ENOMEM;
	else if (first != NULL)
		rc = nw_hostent_fill(he, buf, buflen, af, first->name,
				     (const char *const *)aliases.v, aliases.n,
				     (const unsigned char *const *)addrs.v, addrs.n);
	nw_plist_free(&aliases);
	nw_plist_free(&addrs);
	nw_table_put(&t->base);
	return rc;
}

static int nw_ho_byaddr(const void *addr, socklen_t len, int af, struct hostent *he,
			char *buf, size_t buflen)
{
	struct nw_ho_table *t = (struct nw_ho_table *)nw_table_get(&nw_hosts_source);
	const struct nw_index *ix;
	int rc = ENOENT;

	if (t == NULL)
		return ENOENT;
	if (!nw_table_more(&t->base)) {
		rc = ENOMEM;
	} else if ((af == AF_INET && len == 4) || (af == AF_INET6 && len == 16)) {
		ix = af == AF_INET ? &t->by_v4 : &t->by_v6;
		NW_FOREACH(ix, nw_hash_bytes(addr, len), n) {
			const struct nw_hline *h = nw_rec(&t->base, nw_index_rec(ix, n));
			const unsigned char *a = nw_hline_addr(h, af);

			if (a == NULL || memcmp(a, addr, len) != 0)
				continue;
			size_t na = 0;

			while (h->aliases[na])
				na++;
			rc = nw_hostent_fill(he, buf, buflen, af, h->name,
					     (const char *const *)h->aliases, na, &a, 1);
			break;
		}
	}
	nw_table_put(&t->base);
	return rc;
}

int nw_hosts_name_of(const void *addr, socklen_t len, int af, char *out, size_t outlen)
{
	char buf[1024];
	struct hostent he;
	int rc = nw_ho_byaddr(addr, len, af, &he, buf, sizeof(buf));

	if (rc == ERANGE) {
		/* Too many aliases for the stack buffer: only the name matters. */
		size_t big = 1 << 16;
		char *heap = malloc(big);

		if (heap == NULL)
			return -1;
		rc = nw_ho_byaddr(addr, len, af, &he, heap, big);
		if (rc == 0 && strlen(he.h_name) < outlen) {
			strcpy(out, he.h_name);
			free(heap);
			return 1;
		}
		free(heap);
		return rc == 0 ? -1 : 0;
	}
	if (rc == ENOENT) {
		const struct nw_module *m = nw_module();
		int err = 0, herr = 0;

		if (m == NULL || m->gethostbyaddr_r == NULL ||
		    m->gethostbyaddr_r(addr, len, af, &he, buf, sizeof(buf), &err, &herr) !=
		    NSS_STATUS_SUCCESS)
			return 0;
		rc = 0;
	}
	if (rc != 0)
		return 0;
	if (strlen(he.h_name) >= outlen)
		return -1;
	strcpy(out, he.h_name);
	return 1;
}

int nw_hosts_lookup(const char *name, int af, struct nw_host_answer *out)
{
	struct nw_ho_table *t = (struct nw_ho_table *)nw_table_get(&nw_hosts_source);
	uint32_t hash = nw_hash_casestr(name);
	size_t cap = 0;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (t == NULL)
		return 0;
	NW_FOREACH(&t->base.by_name, hash, n) {
		const struct nw_hline *h = nw_rec(&t->base, nw_index_rec(&t->base.by_name, n));
		const unsigned char *a = nw_hline_addr(h, af);
		int family = af != AF_UNSPEC ? af : h->v6 ? AF_INET6 : AF_INET;

		if (a == NULL || !nw_hline_names(h, name))
			continue;
		if (!found) {
			out->canon = strdup(h->name);
			if (out->canon == NULL)
				goto oom;
			found = 1;
		}
		if (!nw_grow((void **)&out->addrs, &cap, out->count, sizeof(*out->addrs)))
			goto oom;
		out->addrs[out->count].family = family;
		memcpy(out->addrs[out->count].addr, a, family == AF_INET6 ? 16 : 4);
		out->count++;
	}
	nw_table_put(&t->base);
	return found;
oom:
	nw_table_put(&t->base);
	nw_host_answer_free(out);
	return -1;
}

void nw_host_answer_free(struct nw_host_answer *a)
{
	free(a->canon);
	free(a->addrs);
	memset(a, 0, sizeof(*a));
}

/* ---- numeric names (what glibc answers without asking NSS) --------- */

/*
 * A name made of digits and dots, or an IPv6 literal, is answered
 * directly: 1 answered (or failed, rc and herr set), 0 not numeric.
 */
static int nw_numeric_name(const char *name, int af, struct hostent *he, char *buf,
			   size_t buflen, int *rc, int *herr)
{
	unsigned char addr[16];
	const unsigned char *ap = addr;
	const char *p;

	if (isdigit((unsigned char)name[0])) {
		for (p = name; *p && (isdigit((unsigned char)*p) || *p == '.'); p++)
			;
		if (*p != '\0' || p[-1] == '.')
			return 0;
		if (af != AF_INET || inet_aton(name, (struct in_addr *)addr) == 0) {
			*rc = 0;
			*herr = HOST_NOT_FOUND;
			return 1;
		}
	} else if ((isxdigit((unsigned char)name[0]) && strchr(name, ':') != NULL) ||
		   name[0] == ':') {
		for (p = name; *p && (isxdigit((unsigned char)*p) || *p == ':' || *p == '.'); p++)
			;
		if (*p != '\0')
			return 0;
		if (af != AF_INET6 || inet_pton(AF_INET6, name, addr) != 1) {
			*rc = 0;
			*herr = HOST_NOT_FOUND;
			return 1;
		}
	} else {
		return 0;
	}
	*rc = nw_hostent_fill(he, buf, buflen, af, name, NULL, 0, &ap, 1);
	*herr = *rc ? NETDB_INTERNAL : 0;
	return 1;
}

/* ---- the functions -------------------------------------------------- */

/* A module's answer: 0, ERANGE (a bigger buffer may do), or ENOENT. */
static int nw_module_host_rc(enum nss_status st, int err)
{
	if (st == NSS_STATUS_SUCCESS)
		return 0;
	return st == NSS_STATUS_TRYAGAIN && err == ERANGE ? ERANGE : ENOENT;
}

/*
 * The _r convention of the host calls: found (`found_herr` in *herr) or
 * not (HOST_NOT_FOUND) is 0, an error is itself (NETDB_INTERNAL); errno
 * says the same.
 */
static int nw_hosts_answer(int rc, struct hostent *he, struct hostent **result, int *herr,
			   int found_herr)
{
	*herr = rc == 0 ? found_herr : rc == ENOENT ? HOST_NOT_FOUND : NETDB_INTERNAL;
	if (rc == 0)
		*result = he;
	if (rc == ENOENT)
		rc = 0;
	errno = rc;
	return rc;
}

static int nw_hosts_byname_r(const char *name, int af, struct hostent *he, char *buf,
			     size_t buflen, struct hostent **result, int *herr)
{
	const struct nw_module *m;
	int rc, err = 0;

	*result = NULL;
	if (af != AF_INET && af != AF_INET6) {
		*herr = NETDB_INTERNAL;
		errno = EAFNOSUPPORT;
		return EAFNOSUPPORT;
	}
	if (nw_numeric_name(name, af, he, buf, buflen, &rc, herr)) {
		if (rc == 0 && *herr == 0)
			*result = he;
		errno = rc;
		return rc;
	}
	rc = nw_ho_byname(name, af, he, buf, buflen);
	if (rc == ENOENT && (m = nw_module()) != NULL && m->gethostbyname2_r)
		rc = nw_module_host_rc(m->gethostbyname2_r(name, af, he, buf, buflen, &err, herr),
				       err);
	if (rc == ENOENT && nw_hosts_fallback()) {
		CW_LOG(CW_DEBUG, "%s is not in %s: asking the system resolver",
		       name, nw_source_path(&nw_hosts_source));
		return REAL(gethostbyname2_r)(name, af, he, buf, buflen, result, herr);
	}
	if (rc == ENOENT)
		CW_LOG(CW_DEBUG, "%s is not in %s (NSS_WRAPPER_HOSTS_FALLBACK is off)",
		       name, nw_source_path(&nw_hosts_source));
	/* glibc's files module reads on to the end of the file for more lines
	 * ("multi"), and h_errno keeps what the end said: HOST_NOT_FOUND. */
	return nw_hosts_answer(rc, he, result, herr, HOST_NOT_FOUND);
}

/* As glibc's, the _r functions leave their h_errno in the global too. */
CW_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *he, char *buf,
			       size_t buflen, struct hostent **result, int *herr)
{
	int rc;

	if (!nw_hosts_on())
		return REAL(gethostbyname2_r)(name, af, he, buf, buflen, result, herr);
	rc = nw_hosts_byname_r(name, af, he, buf, buflen, result, herr);
	h_errno = *herr;
	return rc;
}

CW_EXPORT int gethostbyname_r(const char *name, struct hostent *he, char *buf,
			      size_t buflen, struct hostent **result, int *herr)
{
	int rc;

	if (!nw_hosts_on())
		return REAL(gethostbyname_r)(name, he, buf, buflen, result, herr);
	rc = nw_hosts_byname_r(name, AF_INET, he, buf, buflen, result, herr);
	h_errno = *herr;
	return rc;
}

static int nw_hosts_byaddr_r(const void *addr, socklen_t len, int af, struct hostent *he,
			     char *buf, size_t buflen, struct hostent **result, int *herr);

/* A question to the hosts file: by name (addr NULL) or by address. */
struct nw_hq {
	const char *name;
	const void *addr;
	socklen_t len;
	int af;
};

static int nw_hosts_r(const struct nw_hq *q, struct hostent *he, char *buf, size_t buflen,
		      struct hostent **result, int *herr)
{
	if (q->addr == NULL)
		return nw_hosts_byname_r(q->name, q->af, he, buf, buflen, result, herr);
	return nw_hosts_byaddr_r(q->addr, q->len, q->af, he, buf, buflen, result, herr);
}

/* The plain calls: the _r call into the thread's storage, grown until it fits. */
static struct hostent *nw_hosts_static(enum nw_tls_slot slot, const struct nw_hq *q,
				       struct hostent *he)
{
	struct nw_static_buf *sb = nw_tls_buf(slot);
	struct hostent *result = NULL;
	int herr = 0, rc;

	do {
		if (sb->len == 0 && !nw_static_grow(sb)) {
			h_errno = NETDB_INTERNAL;
			errno = ENOMEM;
			return NULL;
		}
		rc = nw_hosts_r(q, he, sb->buf, sb->len, &result, &herr);
	} while (rc == ERANGE && nw_static_grow(sb));
	h_errno = herr;
	return result;
}

static struct hostent *nw_static_byname(const char *name, int af)
{
	static _Thread_local struct hostent he;

	return nw_hosts_static(NW_TLS_HOSTNAME, &(struct nw_hq){ name, NULL, 0, af }, &he);
}

CW_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
	if (!nw_hosts_on())
		return REAL(gethostbyname2)(name, af);
	return nw_static_byname(name, af);
}

CW_EXPORT struct hostent *gethostbyname(const char *name)
{
	if (!nw_hosts_on())
		return REAL(gethostbyname)(name);
	return nw_static_byname(name, AF_INET);
}

static int nw_hosts_byaddr_r(const void *addr, socklen_t len, int af, struct hostent *he,
			     char *buf, size_t buflen, struct hostent **result, int *herr)
{
	const struct nw_module *m;
	int rc, err = 0;

	*result = NULL;
	if ((af == AF_INET && len != 4) || (af == AF_INET6 && len != 16)) {
		*herr = NETDB_INTERNAL;
		errno = EINVAL;
		return EINVAL;
	}
	if (af != AF_INET && af != AF_INET6) {
		*herr = NETDB_INTERNAL;
		errno = EAFNOSUPPORT;
		return EAFNOSUPPORT;
	}
	rc = nw_ho_byaddr(addr, len, af, he, buf, buflen);
	if (rc == ENOENT && (m = nw_module()) != NULL && m->gethostbyaddr_r)
		rc = nw_module_host_rc(m->gethostbyaddr_r(addr, len, af, he, buf, buflen, &err,
							  herr), err);
	if (rc == ENOENT && nw_hosts_fallback())
		return REAL(gethostbyaddr_r)(addr, len, af, he, buf, buflen, result, herr);
	return nw_hosts_answer(rc, he, result, herr, 0);
}

CW_EXPORT int gethostbyaddr_r(const void *addr, socklen_t len, int af, struct hostent *he,
			      char *buf, size_t buflen, struct hostent **result, int *herr)
{
	int rc;

	if (!nw_hosts_on())
		return REAL(gethostbyaddr_r)(addr, len, af, he, buf, buflen, result, herr);
	rc = nw_hosts_byaddr_r(addr, len, af, he, buf, buflen, result, herr);
	h_errno = *herr;
	return rc;
}

CW_EXPORT struct hostent *gethostbyaddr(const void *addr, socklen_t len, int af)
{
	static _Thread_local struct hostent he;

	if (!nw_hosts_on())
		return REAL(gethostbyaddr)(addr, len, af);
	return nw_hosts_static(NW_TLS_HOSTADDR, &(struct nw_hq){ NULL, addr, len, af }, &he);
}

/* ---- enumeration: the file's AF_INET lines in order ------------------- */

static int nw_hostent_copy(const void *rec, void *he, char *buf, size_t len)
{
	const struct nw_hline *h = rec;
	const unsigned char *a = nw_hline_addr(h, AF_INET);
	size_t na = 0;

	if (a == NULL)
		return NW_SKIP;
	while (h->aliases[na])
		na++;
	return nw_hostent_fill(he, buf, len, AF_INET, h->name, (const char *const *)h->aliases,
			       na, &a, 1);
}

struct nw_cursor nw_hostent = NW_CURSOR(nw_hosts_source, nw_hostent_copy, NULL);

CW_EXPORT void sethostent(int stayopen)
{
	if (nw_hosts_on())
		nw_cursor_rewind(&nw_hostent);
	else
		REAL(sethostent)(stayopen);
}

CW_EXPORT void endhostent(void)
{
	if (nw_hosts_on())
		nw_cursor_rewind(&nw_hostent);
	else
		REAL(endhostent)();
}

static int nw_hostent_herr(int rc)
{
	return rc == 0 ? 0 : rc == ENOENT ? HOST_NOT_FOUND : NETDB_INTERNAL;
}

CW_EXPORT int gethostent_r(struct hostent *he, char *buf, size_t buflen,
			   struct hostent **result, int *herr)
{
	int rc;

	if (!nw_hosts_on())
		return REAL(gethostent_r)(he, buf, buflen, result, herr);
	rc = nw_cursor_get_r(&nw_hostent, he, buf, buflen);
	*result = rc == 0 ? he : NULL;
	*herr = nw_hostent_herr(rc);
	return rc;
}

/* gethostent() reports through h_errno and leaves errno alone. */
CW_EXPORT struct hostent *gethostent(void)
{
	static struct hostent he;
	int saved = errno, rc;

	if (!nw_hosts_on())
		return REAL(gethostent)();
	rc = nw_cursor_get(&nw_hostent, &he);
	errno = saved;
	h_errno = nw_hostent_herr(rc);
	return rc == 0 ? &he : NULL;
}
