/*
 * Identity across exec.
 *
 * The kernel keeps a process's credentials across execve(); the fake ones
 * live in memory that exec discards, so they travel in the environment:
 *
 *     UID_WRAPPER_HANDOFF=K:R,E,S,F:r,e,s,f:G1,G2,...:C
 *
 * K is the real uid of the process that wrote it (a new image with a
 * different real uid ignores it), R,E,S,F the uids (real, effective,
 * saved, fs), r,e,s,f the gids, G the supplementary groups (may be empty),
 * C an FNV-1a checksum of everything before it in hex (trailing spaces
 * are accepted).  The values written describe the state *after* exec: as
 * execve(2) does, the saved and fs ids become the effective ones.
 *
 * Two writers.  Every exec and posix_spawn wrapper puts a fresh entry in
 * the environment it passes on (calling thread's view, no allocation
 * beyond mmap, so it is safe in a vfork child).  And the process's own
 * environ carries an entry kept current on every change (rewritten in
 * place when it fits; it shows the ids of the thread that changed them last, which in
 * a single-threaded program is the whole truth), so the exec paths that cannot be interposed -- system(),
 * popen(), wordexp(), posix_spawn inside libc, raw syscall(SYS_execve) --
 * pass on the identity too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

#define PREFIX UW_HANDOFF_VAR "="
/* Worst case per number: 10 digits and a separator; 9 numbers and a
 * checksum besides the groups. */
#define FIXED (sizeof(PREFIX) + 10 * 11 + 10)
#define ROOM(size) (((size) - FIXED) / 11)   /* groups that fit in size */

/* Decimal digits of v at p; returns the end.  No snprintf: this runs in
 * vfork children. */
static char *put_num(char *p, unsigned int v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_hex8(char *p, unsigned int v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
	return p;
}

/* Formats one consistent view of `r`; 0 when it does not fit. */
static size_t format_once(const struct uw_rec *r, bool resetids, char *buf,
			  size_t size, unsigned int real_uid)
{
	struct uw_ids ids;
	char *p = buf, *end = buf + size;
	int n = __atomic_load_n(&r->ngroups, __ATOMIC_RELAXED);
	const gid_t *groups = __atomic_load_n(&r->groups, __ATOMIC_ACQUIRE);

	if (groups == r->small && n > UW_INLINE_GROUPS)
		n = 0;          /* mid-change: the caller's retry sees it */

	for (int i = 0; i < 4; i++) {
		ids.uid[i] = __atomic_load_n(&r->ids.uid[i], __ATOMIC_RELAXED);
		ids.gid[i] = __atomic_load_n(&r->ids.gid[i], __ATOMIC_RELAXED);
	}
	if (resetids) {
		/* posix_spawn's POSIX_SPAWN_RESETIDS: seteuid(getuid()),
		 * then setegid(getgid()), in the child before exec. */
		struct uw_op op = { .kind = UW_SETRESUID, .a = (unsigned)-1,
				    .b = ids.uid[UW_R], .c = (unsigned)-1 };

		(void)uw_rule(&op, &ids, NULL);
		op.kind = UW_SETRESGID;
		op.b = ids.gid[UW_R];
		(void)uw_rule(&op, &ids, NULL);
	}
	/* execve(2): saved set-ids and fs ids become the effective ones. */
	ids.uid[UW_S] = ids.uid[UW_FS] = ids.uid[UW_E];
	ids.gid[UW_S] = ids.gid[UW_FS] = ids.gid[UW_E];

	/* Groups that do not fit are left out (fewer groups, never more
	 * rights). */
	if (size < FIXED)
		return 0;
	if ((size_t)n > ROOM(size))
		n = (int)ROOM(size);
	memcpy(p, PREFIX, sizeof(PREFIX) - 1);
	p += sizeof(PREFIX) - 1;
	char *payload = p;

	p = put_num(p, real_uid);
	for (int i = 0; i < 4; i++) {
		*p++ = i ? ',' : ':';
		p = put_num(p, ids.uid[i]);
	}
	for (int i = 0; i < 4; i++) {
		*p++ = i ? ',' : ':';
		p = put_num(p, ids.gid[i]);
	}
	*p++ = ':';
	for (int i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		p = put_num(p, __atomic_load_n(&groups[i], __ATOMIC_RELAXED));
	}
	*p++ = ':';
	p = put_hex8(p, uw_fnv1a(payload, (size_t)(p - payload)));
	if (p >= end)
		return 0;
	*p = '\0';
	return (size_t)(p - buf);
}

size_t uw_handoff_format(const struct uw_rec *r, bool resetids, char *buf, size_t size)
{
	unsigned int real_uid = REAL(getuid)();
	size_t len;
	unsigned s;

	do {
		s = uw_read_begin(r);
		len = format_once(r, resetids, buf, size, real_uid);
	} while (uw_read_retry(r, s));
	return len;
}

bool uw_handoff_parse(const char *value, struct uw_ids *ids, int *ngroups, gid_t *groups)
{
	unsigned int real_uid;

	if (!uw_handoff_parse_text(value, ids, ngroups, groups, &real_uid)) {
		cw_log(CW_ERROR, "%s=\"%.60s%s\" is not valid: expected what a "
		       "wrapped parent writes (uid:uids:gids:groups:checksum); "
		       "ignoring it", UW_HANDOFF_VAR, value,
		       strlen(value) > 60 ? "..." : "");
		return false;
	}
	if (real_uid != REAL(getuid)()) {
		CW_LOG(CW_DEBUG, "%s was written for real uid %u, this process "
		       "has %u: ignoring it", UW_HANDOFF_VAR, real_uid,
		       (unsigned int)REAL(getuid)());
		return false;
	}
	return true;
}

/* --- the process's own entry ------------------------------------------ */

static char *live;            /* our string in environ, or NULL */
static size_t live_size;      /* its buffer's size */
static int live_failed;       /* said once that groups do not fit */

extern char **environ;

/*
 * The first time (at start-up, one thread): our entry into environ as
 * putenv() would put it, but without malloc -- putenv's first call would
 * set up the allocator, a large part of a small program's start-up.  The
 * entry and, when it is new, a copy of the environ array share one
 * mapping, never freed: not static storage, which a dlclose() of a copy of
 * the shim loaded by dlopen (cwrap's own version query) would take away
 * from under environ.  setenv() and putenv() later replace the array with
 * their own, as they do with the one the kernel gave.
 */
/* A mapping: `size` bytes for the entry (a power of two, so the array
 * after it is aligned), then room for environ's pointers plus ours. */
static char *first_mapping(size_t size)
{
	size_t n = 0;
	char *map;

	for (; environ && environ[n]; n++)
		;
	map = mmap(NULL, size + (n + 2) * sizeof(char *), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return map == MAP_FAILED ? NULL : map;
}

static int put_first(char *entry, size_t size)
{
	char **arr = (char **)(entry + size);
	size_t n = 0;

	for (; environ && environ[n]; n++) {
		if (strncmp(environ[n], PREFIX, sizeof(PREFIX) - 1) == 0) {
			environ[n] = entry;      /* a parent's hand-off: replaced */
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		arr[i] = environ[i];
	arr[n] = entry;
	arr[n + 1] = NULL;
	environ = arr;
	return 0;
}

void uw_handoff_publish(const struct uw_rec *r)
{
	size_t need = FIXED + (size_t)r->ngroups * 11, size, len;
	char *buf;
	int saved = errno;

	if (need > UW_HANDOFF_MAX) {
		if (!live_failed++)
			cw_log(CW_ERROR, "%d groups are too many to hand to "
			       "programs this process starts: they get only "
			       "the first %d", r->ngroups, (int)ROOM(UW_HANDOFF_MAX));
		need = UW_HANDOFF_MAX;
	}
	/* In place when our entry is still the one in environ and fits. */
	if (live && need <= live_size &&
	    getenv(UW_HANDOFF_VAR) == live + sizeof(PREFIX) - 1) {
		/* Shorter or longer, the string ends where it ends: the
		 * buffer behind it is ours. */
		if (uw_handoff_format(r, false, live, live_size))
			goto out;
	}
	if (live == NULL) {
		for (size = 512; size < need; size *= 2)
			;
		buf = first_mapping(size);
		if (buf == NULL)
			goto out;
	} else {
		for (size = 1024; size < need; size *= 2)
			;
		/* The old buffer is kept: a concurrent exec may be reading it. */
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			goto out;
	}
	len = uw_handoff_format(r, false, buf, size);
	if (len == 0 || (live == NULL ? put_first(buf, size) : putenv(buf)) != 0) {
		munmap(buf, size);   /* (the first mapping's array part leaks) */
		goto out;
	}
	live = buf;
	live_size = size;
out:
	errno = saved;
}
