/*
 * The UID shim's internals: the fake credentials and who may change them.
 *
 * State.  One process-wide record (what library calls see and change: glibc
 * applies set*id() to every thread) plus, for a thread that changed its own
 * credentials with a raw syscall (or setfsuid(), which glibc does not
 * broadcast), a per-thread override record.  A thread reads the override
 * when it has one, else the process record.  Readers never lock: each
 * record is a seqlock; writers hold uw_mutex with every signal blocked, so
 * a signal handler calling getuid() can never spin on its own thread's
 * half-done write.
 */
#ifndef UW_H
#define UW_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lock.h"

enum { UW_R, UW_E, UW_S, UW_FS };   /* index into uid[] and gid[] */

struct uw_ids {
	uid_t uid[4];
	gid_t gid[4];
};

/* Groups live in the record up to this many; beyond, in a mapping of
 * NGROUPS_MAX entries made once and kept for the record's life (readers
 * may still be looking at the small array: it stays valid). */
#define UW_INLINE_GROUPS 32

struct uw_rec {
	_Atomic unsigned seq;           /* odd while a writer is inside */
	struct uw_ids ids;
	int ngroups;
	gid_t *groups;                  /* sorted, as the kernel keeps them */
	struct uw_rec *next;            /* list of overrides (under uw_mutex) */
	gid_t small[UW_INLINE_GROUPS];
};

/* Room for n groups in `r` (writer side); false when out of memory. */
bool uw_groups_reserve(struct uw_rec *r, long n);

/* --- configuration (init.c) --- */
extern bool uw_enabled;
bool uw_myuid(void);                  /* UID_WRAPPER_MYUID=1, read per call */
bool uw_chroot_noop(void);            /* UID_WRAPPER_CHROOT (default 1) */
void uw_init(void);
#define UW_READY() (cw_init(uw_init), uw_enabled)

/* --- state (creds.c) --- */
extern struct uw_rec uw_proc;
extern struct cw_mutex uw_mutex;
extern __thread struct uw_rec *uw_mine
	__attribute__((tls_model("initial-exec")));

static inline struct uw_rec *uw_view(void)
{
	struct uw_rec *r = uw_mine;

	return r ? r : &uw_proc;
}

/* One id of the calling thread's view: a single atomic load. */
static inline uid_t uw_get_uid(int which)
{
	return __atomic_load_n(&uw_view()->ids.uid[which], __ATOMIC_RELAXED);
}

static inline gid_t uw_get_gid(int which)
{
	return __atomic_load_n(&uw_view()->ids.gid[which], __ATOMIC_RELAXED);
}

/* A consistent copy of the ids of `r` (seqlock read). */
void uw_read_ids(const struct uw_rec *r, struct uw_ids *out);

/*
 * getgroups(2) on the calling thread's view, lock-free: the count, or -1
 * with EINVAL when 0 < size < count (or size < 0), EFAULT when list is
 * NULL but groups would be written.
 */
int uw_read_groups(int size, gid_t *list);
int uw_read_groups_of(const struct uw_rec *r, int size, gid_t *list);

/* Seqlock reading for callers that copy more than ids (hand-off). */
unsigned uw_read_begin(const struct uw_rec *r);
bool uw_read_retry(const struct uw_rec *r, unsigned s);

/* Sets the initial state (init only, single-threaded). */
void uw_state_set_initial(const struct uw_ids *ids, int ngroups, const gid_t *groups);

/* --- the kernel's rules (rules.c) --- */
enum uw_op_kind {
	UW_SETUID, UW_SETREUID, UW_SETRESUID, UW_SETFSUID,
	UW_SETGID, UW_SETREGID, UW_SETRESGID, UW_SETFSGID,
	UW_SETGROUPS,
};

struct uw_op {
	enum uw_op_kind kind;
	unsigned int a, b, c;          /* ids as the kernel sees them */
	long n;                        /* setgroups: count */
	const gid_t *list;             /* setgroups: the caller's list */
};

/*
 * Applies `op` to `ids` as Linux does: 0 or an errno (ids untouched on
 * error).  setfs*id never fail; `*fs_old` gets the previous fs id.
 */
int uw_rule(const struct uw_op *op, struct uw_ids *ids, unsigned int *fs_old);

/* Copies a setgroups() list into `r`, sorted (writer side, seq odd). */
void uw_groups_store(struct uw_rec *r, long n, const gid_t *list);

/*
 * Applies `op` for the calling thread, and when `broadcast`, to every
 * thread (glibc's rule for library calls); otherwise only the calling
 * thread (the kernel's rule for raw syscalls).  Returns 0 or an errno;
 * for setfs*id the previous fs id goes to *fs_old.
 */
int uw_change(const struct uw_op *op, bool broadcast, unsigned int *fs_old);

/* --- threads (threads.c) --- */
void uw_threads_init(void);   /* once, before the first override */
struct uw_rec *uw_rec_new(const struct uw_rec *from); /* copy, under uw_mutex */
void uw_rec_free(struct uw_rec *r);
extern struct uw_rec *uw_overrides;   /* under uw_mutex */
void uw_override_attach(struct uw_rec *r);  /* make r this thread's record */

/* --- hand-off across exec (handoff.c) --- */
#define UW_HANDOFF_VAR "UID_WRAPPER_HANDOFF"
/* Longest string the kernel takes as one environment entry. */
#define UW_HANDOFF_MAX (32 * 4096)
/*
 * Writes "UID_WRAPPER_HANDOFF=..." for `r` into buf (as the ids will be
 * after exec); the length, or 0 when buf cannot even hold the ids.
 * Groups that do not fit are left out.
 */
size_t uw_handoff_format(const struct uw_rec *r, bool resetids, char *buf, size_t size);
/* Parses the value; false (and a log line) if it is not valid. */
bool uw_handoff_parse(const char *value, struct uw_ids *ids, int *ngroups, gid_t *groups);
/* --- pure parsers (parse.c; the fuzzing harnesses call them) --- */
/* FNV-1a of n bytes: the hand-off's checksum. */
unsigned int uw_fnv1a(const char *p, size_t n);
/* The hand-off value "K:R,E,S,F:r,e,s,f:G...:C"; groups needs room for
 * NGROUPS_MAX entries.  No logging. */
bool uw_handoff_parse_text(const char *text, struct uw_ids *ids, int *ngroups,
			   gid_t *groups, unsigned int *real_uid);
/* "g1,g2,..." (UID_WRAPPER_INITIAL_GROUPS); stores at most `room` in out,
 * *n counts them all. */
bool uw_parse_groups(const char *text, int *n, gid_t *out, int room);
/* Keeps the process's own environment entry current (under uw_mutex):
 * it gets the ids of `r`, the record that changed last. */
void uw_handoff_publish(const struct uw_rec *r);

/* --- glibc entry points we wrap but that headers may not declare --- */
int __getgroups_chk(int size, gid_t *list, size_t listlen);

#endif
