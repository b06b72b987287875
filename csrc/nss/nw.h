/*
 * Internals of the NSS shim, shared by its files.
 *
 * Each database (passwd, group, shadow, hosts) is a `struct nw_source`: the
 * variable naming its file, the parser, and the current `nw_table`, a
 * reference-counted snapshot of the parsed file with its hash indexes.
 * A lookup takes a reference (re-reading the file first if it changed),
 * searches without any lock, copies the answer out, and drops the
 * reference; a reload never frees a table another thread still reads.
 */
#ifndef NW_NSS_H
#define NW_NSS_H

#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <shadow.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lock.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"

/* ---- a snapshot's memory (arena.c) ---------------------------------- */

/*
 * Blocks freed all at once; `hint` sizes the first (a reservation: the
 * pages never touched cost nothing).  The newest allocation can grow in
 * place.  Not thread-safe: a table is built by one thread, its lazy
 * indexes under nw_index_lock.  NULL when out of memory.
 */
struct nw_arena;
struct nw_arena *nw_arena_new(size_t hint);
void nw_arena_free(struct nw_arena *a);
void *nw_arena_alloc(struct nw_arena *a, size_t n);
/* The same, zeroed (without writing to pages the kernel gives zeroed). */
void *nw_arena_zalloc(struct nw_arena *a, size_t n);
/* `p` (`old` bytes, or NULL) grown to `n` bytes, moved if it must be. */
void *nw_arena_grow(struct nw_arena *a, void *p, size_t old, size_t n);
/* nw_grow() for an array in the arena. */
bool nw_arena_grow_array(struct nw_arena *a, void **array, size_t *cap, size_t count,
			 size_t size);

/* ---- hash index (index.c) ------------------------------------------- */

#define NW_NONE UINT32_MAX

/*
 * One record filed under a hash.  A slot of zeros is empty, so that a
 * fresh table from the arena needs no clearing.
 */
struct nw_node {
	uint32_t hash;
	uint32_t rec1;  /* record number in the table, plus one */
};

/*
 * An open-addressing table (linear probing, at most half full) sized once
 * for the nodes it will hold, so no list of nodes is kept while building.
 * Nodes are added in file order: the walk from a hash's home slot meets
 * them in file order again ("first line wins"), and a hit costs one cache
 * line before the record.
 */
#define NW_QUEUE 16

struct nw_index {
	struct nw_node *slots;
	uint32_t mask;
	uint32_t count, cap;    /* nodes added, and planned */
	struct nw_node queue[NW_QUEUE]; /* the last nodes added, not yet filed */
};

/* Room for `count` nodes, from `a`; false when out of memory (or absurdly many). */
bool nw_index_init(struct nw_index *ix, size_t count, struct nw_arena *a);
/*
 * Adds nodes in file order (false when more are added than were
 * planned); nw_index_finish() files the last ones: call it before use.
 */
bool nw_index_add(struct nw_index *ix, uint32_t hash, uint32_t rec);
void nw_index_finish(struct nw_index *ix);
uint32_t nw_index_first(const struct nw_index *ix, uint32_t hash);
/* The first slot from `pos` on that holds `hash`, NW_NONE at an empty one. */
uint32_t nw_index_next(const struct nw_index *ix, uint32_t pos, uint32_t hash);

/* The record in a slot NW_FOREACH gives. */
static inline uint32_t nw_index_rec(const struct nw_index *ix, uint32_t slot)
{
	return ix->slots[slot].rec1 - 1;
}

uint32_t nw_hash_str(const char *s);
uint32_t nw_hash_casestr(const char *s);
uint32_t nw_hash_u32(uint32_t v);
uint32_t nw_hash_bytes(const void *p, size_t n);

/* ---- growable arrays (index.c) -------------------------------------- */

/* Makes room for one more element; false when out of memory. */
bool nw_grow(void **array, size_t *cap, size_t count, size_t size);

/*
 * Strings in NULL-terminated lists back to back (group members, host
 * aliases), in an arena.  nw_pool_list() adds the elements of a list
 * (nw_list_next) and a NULL, and says where the list starts; false when
 * out of memory.
 */
struct nw_pool {
	char **v;
	size_t n, cap;
};
bool nw_pool_list(struct nw_arena *a, struct nw_pool *p, char **line, char sep,
		  size_t *start);

/* ---- file snapshots (files.c) and their records (table.c) ------------ */

struct nw_source;

/* Where a database's records keep their name and their number. */
struct nw_layout {
	size_t size;            /* of one record */
	size_t name;            /* offset of its name (char *) */
	size_t id;              /* offset of its number (uid_t, gid_t), if any */
};

#define NW_LAYOUT(type, name_field, id_field) \
	{ sizeof(type), offsetof(type, name_field), offsetof(type, id_field) }

struct nw_table {
	atomic_uint refs;
	/* Indexes not needed by the commonest lookup are built on first use. */
	bool (*build_more)(struct nw_table *t);
	atomic_bool more_ready;
	struct nw_arena *arena; /* everything below but the path, and what a database adds */
	char *text;             /* the file, split in place by the parser */
	const char *path;
	size_t bad_lines;
	/* The records in file order, and indexes by name and by number. */
	const struct nw_layout *layout;
	void *recs;
	size_t count, cap;
	struct nw_index by_name, by_id;
};

static inline void *nw_rec(const struct nw_table *t, size_t i)
{
	return (char *)t->recs + i * t->layout->size;
}

/*
 * A table of `size` bytes (a database's struct starting with a struct
 * nw_table) owning the arena that holds the text, with room for a record
 * per line; NULL when out of memory (the arena freed).  nw_table_fail()
 * frees it and returns NULL.
 */
struct nw_table *nw_table_new(size_t size, struct nw_arena *a, char *text, size_t len,
			      const char *path, const struct nw_layout *layout);
struct nw_table *nw_table_fail(struct nw_table *t);
void nw_table_free(struct nw_table *t);

/*
 * Parses each line of the table's text that is not blank or a comment
 * into the next record: a line `parse` refuses is skipped with a warning
 * saying `why`.  false when out of memory.
 */
enum nw_parsed { NW_PARSED, NW_REFUSED, NW_NOMEM };
typedef enum nw_parsed (*nw_parse_fn)(char *line, void *rec, void *ctx);
bool nw_table_parse(struct nw_table *t, size_t len, nw_parse_fn parse, void *ctx,
		    const char *why);

/* The indexes by name and by number, leaving out +/- (compat) records. */
bool nw_table_index_names(struct nw_table *t);
bool nw_table_index_ids(struct nw_table *t);

/* What a lookup asks: a name, or (name NULL) a number. */
struct nw_key {
	const char *name;
	uint32_t id;
};

/* Copies a record into a caller's record and buffer: 0 or ERANGE. */
typedef int (*nw_copy_fn)(const void *src, void *dst, char *buf, size_t len);

/*
 * The source's first record under the key, copied: 0, ERANGE, ENOENT
 * (none, or the variable is unset), ENOMEM.
 */
int nw_source_find(struct nw_source *src, const struct nw_key *key, nw_copy_fn copy,
		   void *rec, char *buf, size_t len);

/*
 * Parser of one database: a table built from the text, owning the arena
 * that holds it; NULL when out of memory (the arena freed).
 */
typedef struct nw_table *(*nw_build_fn)(struct nw_arena *a, char *text, size_t len,
					const char *path);

struct nw_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
	bool missing;
};

/* What the inotify watch knows of a source's file (watch.c). */
struct nw_watch {
	atomic_int dir_wd;      /* watch of the file's directory, -1 none */
	atomic_int file_wd;     /* watch of the file itself, -1 none */
	atomic_bool dirty;      /* an event may concern the file */
	bool plain;             /* a regular file (or none) at a plain path */
	char *path;             /* the path the watches were made for */
	const char *base;       /* its last component, inside `path` */
};

struct nw_source {
	const char *suffix;     /* "PASSWD" */
	const char *var;        /* "NSS_WRAPPER_PASSWD" */
	nw_build_fn build;
	struct cw_mutex lock;
	struct nw_table *table; /* current snapshot, NULL before the first load */
	char *path;             /* the path it was read from */
	struct nw_stamp stamp;
	struct nw_watch watch;
};

#define NW_SOURCE(sfx, fn)                                                         \
	{ .suffix = (sfx), .var = "NSS_WRAPPER_" sfx, .build = (fn), .lock = CW_MUTEX_INIT, \
	  .watch = { .dir_wd = -1, .file_wd = -1, .dirty = true } }

/*
 * The inotify shortcut (watch.c).  nw_watch_quiet(): no event since the
 * last nw_watch_arm() says the source's file may have changed (one
 * zero-length read(), no lock).  nw_watch_arm(): under the source's lock,
 * before the stat() that checks the file: clears the mark and makes sure
 * the file and its directory are watched.  nw_watch_covers(): under the
 * source's lock, the watches are for `path` and nothing is marked.
 */
bool nw_watch_quiet(struct nw_source *src);
void nw_watch_arm(struct nw_source *src, const char *path);
bool nw_watch_covers(const struct nw_source *src, const char *path);
extern struct cw_mutex nw_watch_lock;

/* The configured path of a source, or NULL (unset, empty, AT_SECURE). */
const char *nw_source_path(const struct nw_source *src);

/*
 * The current table, with a reference the caller drops with
 * nw_table_put().  NULL when the variable is unset; an empty table when
 * the file is missing or unreadable (said once per change).
 */
struct nw_table *nw_table_get(struct nw_source *src);
void nw_table_put(struct nw_table *t);
struct nw_table *nw_table_ref(struct nw_table *t);

/* Builds the table's secondary indexes once; false when out of memory. */
bool nw_table_more(struct nw_table *t);
extern struct cw_mutex nw_index_lock;

/* The number of lines of a text: the size to give a table's arrays. */
size_t nw_count_lines(const char *text, size_t len);

/*
 * Helpers for parsers: the next line of `*cursor` (newline removed, NUL
 * terminated in place), and the warning for a line that is skipped.
 */
char *nw_next_line(char **cursor, char *end);
void nw_bad_line(struct nw_table *t, size_t lineno, const char *why);

/*
 * Fields (field.c; padded lines: see nw_token_end).  glibc's number
 * fields: strtoul in base 10 (leading blanks and a sign accepted), ended
 * by `term` or the end of the line.  Returns false for an empty field
 * (`*p` unchanged) or trailing garbage.
 */
bool nw_number_field(char **p, char term, unsigned long *out, bool *empty);

/* Cuts the field at `*p` at the next `term` (or end); returns its start. */
char *nw_string_field(char **p, char term);

/* The first `term` or NUL from `p` on. */
char *nw_field_end(char *p, char term);

/* ---- the databases -------------------------------------------------- */

extern struct nw_source nw_passwd_source, nw_group_source, nw_shadow_source,
	nw_hosts_source;

/* Users and groups are answered by the shim (upstream's rule). */
bool nw_users_enabled(void);
bool nw_hosts_enabled(void);
bool nw_shadow_enabled(void);

/* cw_init(), then the same: the first lines of each wrapper. */
bool nw_users_on(void);
bool nw_hosts_on(void);
bool nw_shadow_on(void);

/* NSS_WRAPPER_HOSTS_FALLBACK=1: ask the system for names not in the file. */
bool nw_hosts_fallback(void);

/* The module's lock, for cw_shim.locks. */
extern struct cw_mutex nw_module_lock;

/* ---- group membership (group.c) -------------------------------------- */

/*
 * The groups of `user` as glibc's getgrouplist computes them: `group`
 * first, then each group listing the user, in file order, without
 * repeats.  Returns the count (malloc'd array in *out) or -1 (ENOMEM).
 */
long nw_user_groups(const char *user, gid_t group, gid_t **out);

/* ---- hosts (hosts.c) -------------------------------------------------- */

/* One address of a name, in file order. */
struct nw_addr {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16];
};

struct nw_host_answer {
	char *canon;            /* malloc'd */
	struct nw_addr *addrs;  /* malloc'd */
	size_t count;
};

/*
 * The addresses of `name` in file order, as glibc's files module gives
 * them to getaddrinfo: for AF_UNSPEC every line with its own family
 * (gethostbyname4), for AF_INET or AF_INET6 the lines seen as that family
 * (IPv4-mapped and ::1 lines count for AF_INET).  The canonical name is
 * the name of the first line.  1 found, 0 not, -1 out of memory.
 */
int nw_hosts_lookup(const char *name, int af, struct nw_host_answer *out);
void nw_host_answer_free(struct nw_host_answer *a);

/*
 * The name of an address (first line with it), as gethostbyaddr gives
 * it: copies into buf; 1 found, 0 not, -1 too small.
 */
int nw_hosts_name_of(const void *addr, socklen_t len, int af, char *buf, size_t buflen);

/* The host name programs see: NSS_WRAPPER_HOSTNAME or NULL. */
const char *nw_hostname(void);

/* ---- module (module.c) ---------------------------------------------- */

#include <nss.h>

/*
 * A module's setXXent, getXXent_r and endXXent.  getXXent_r is bound as
 * taking a record of any type: the caller passes the database's own.
 */
struct nw_module_enum {
	enum nss_status (*set)(void);
	enum nss_status (*get)(void *rec, char *buf, size_t len, int *err);
	enum nss_status (*end)(void);
};

/* A module's getXXnam_r and getXXuid_r/getXXgid_r, bound the same way. */
struct nw_module_keyed {
	enum nss_status (*byname)(const char *name, void *rec, char *buf, size_t len, int *err);
	enum nss_status (*byid)(uint32_t id, void *rec, char *buf, size_t len, int *err);
};

struct nw_module {
	struct nw_module_keyed pw, gr;
	struct nw_module_enum pwent, grent;
	enum nss_status (*initgroups_dyn)(const char *, gid_t, long *, long *,
					  gid_t **, long, int *);
	enum nss_status (*gethostbyname2_r)(const char *, int, struct hostent *,
					    char *, size_t, int *, int *);
	enum nss_status (*gethostbyaddr_r)(const void *, socklen_t, int,
					   struct hostent *, char *, size_t, int *, int *);
};

/* The module named by the variables, loaded once; NULL when none. */
const struct nw_module *nw_module(void);

/* Its user and group lookups and enumerations; NULL when there is no module. */
const struct nw_module_keyed *nw_module_pw(void);
const struct nw_module_keyed *nw_module_gr(void);
const struct nw_module_enum *nw_module_pwent(void);
const struct nw_module_enum *nw_module_grent(void);

/* A module's answer in the _r convention: 0, ENOENT, or the error. */
int nw_status_rc(enum nss_status st, int err);

/* ---- copying records into callers' buffers (copy.c) ------------------ */

/* nw_copy_fn of struct passwd, struct group and struct spwd. */
int nw_copy_passwd(const void *src, void *dst, char *buf, size_t len);
int nw_copy_group(const void *src, void *dst, char *buf, size_t len);
int nw_copy_spwd(const void *src, void *dst, char *buf, size_t len);

/*
 * Static result storage of the non-_r functions: grown as needed, one per
 * function family, as glibc's are (not thread-safe by contract).
 */
struct nw_static_buf {
	char *buf;
	size_t len;
};
bool nw_static_grow(struct nw_static_buf *b);

/*
 * The per-thread storage of getpwnam/getpwuid, getgrnam/getgrgid,
 * getspnam, gethostbyname* and gethostbyaddr: each thread gets its own
 * (glibc shares one), freed when the thread exits.
 */
enum nw_tls_slot { NW_TLS_PW, NW_TLS_GR, NW_TLS_SP, NW_TLS_HOSTNAME, NW_TLS_HOSTADDR,
		   NW_TLS_SLOTS };
struct nw_static_buf *nw_tls_buf(enum nw_tls_slot slot);

/* ---- lookups by key (lookup.c) ---------------------------------------- */

/* A database asked by name or number: users, groups (then the module), shadow. */
struct nw_db {
	struct nw_source *src;
	nw_copy_fn copy;
	const struct nw_module_keyed *(*module)(void);  /* NULL: the file only */
	enum nw_tls_slot slot;                          /* storage of the non-_r calls */
};

/* The file, then the module: 0, ENOENT, or an error (ERANGE, ENOMEM...). */
int nw_db_lookup(const struct nw_db *db, const struct nw_key *key, void *rec, char *buf,
		 size_t len);

/*
 * The _r convention: `rec` when found, else NULL; *rc is 0 (found or
 * not) or the error, and so is errno.
 */
void *nw_db_r(const struct nw_db *db, const struct nw_key *key, void *rec, char *buf,
	      size_t len, int *rc);

/*
 * The non-_r convention: the same into the thread's storage, grown until
 * the answer fits; errno is left alone unless there is an error.
 */
void *nw_db_static(const struct nw_db *db, const struct nw_key *key, void *rec);

/* ---- enumeration cursors (cursor.c) ----------------------------------- */

/* What an enumeration's nw_copy_fn returns for a record it leaves out. */
#define NW_SKIP (-1)

enum nw_cursor_state { NW_CURSOR_FILE, NW_CURSOR_MODULE, NW_CURSOR_DONE };

struct nw_cursor {
	struct cw_mutex lock;
	struct nw_source *src;
	nw_copy_fn copy;
	const struct nw_module_enum *(*module)(void);   /* NULL: the file only */
	struct nw_table *table; /* the snapshot walked, NULL before the start */
	size_t pos;
	bool started;
	enum nw_cursor_state state;
	struct nw_static_buf buf;       /* storage of the non-_r call */
};

#define NW_CURSOR(source, copy_fn, module_fn) \
	{ .lock = CW_MUTEX_INIT, .src = &(source), .copy = (copy_fn), .module = (module_fn) }

/* setXXent and endXXent: back to the start (the module's endXXent if running). */
void nw_cursor_rewind(struct nw_cursor *c);

/* getXXent_r: 0, ERANGE (the same record next time), ENOENT, or an error; errno too. */
int nw_cursor_get_r(struct nw_cursor *c, void *rec, char *buf, size_t len);

/* getXXent: the same into the cursor's own storage, grown as needed. */
int nw_cursor_get(struct nw_cursor *c, void *rec);

extern struct nw_cursor nw_pwent, nw_grent, nw_spent, nw_hostent;

#endif

#define NW_FOREACH(ix, hash, n)                                        \
	for (uint32_t n = nw_index_first((ix), (hash)); n != NW_NONE;  \
	     n = nw_index_next((ix), (n + 1) & (ix)->mask, (hash)))

/* Skips blank and comment lines as glibc's files module does. */
char *nw_content(char *line);

/*
 * The end of a token: the first NUL or blank (isspace) from `p` on.  It
 * reads 8 bytes at a time, so the line must be followed by NW_TEXT_PAD
 * readable bytes after its NUL, as a table's text is.
 */
char *nw_token_end(char *p);
#define NW_TEXT_PAD 8

/* Parsers glibc shares between databases (parse.c). */
bool nw_parse_passwd(char *line, struct passwd *pw);
bool nw_parse_group_head(char **p, struct group *gr);
char *nw_list_next(char **p, char sep);
bool nw_parse_shadow(char *line, struct spwd *sp);
