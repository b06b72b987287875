/*
 * Threads: per-thread override records, what a new thread starts with,
 * and what a forked child keeps.
 *
 * A thread that never made a raw set*id syscall (nor setfsuid) reads the
 * process record and costs nothing here.  A thread with an override hands
 * a copy of it to each thread it creates, as clone() copies the creator's
 * credentials.  Overrides are mmap'ed (no malloc: a raw syscall may come
 * from anywhere) and freed by a thread-specific-data destructor at exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "init.h"
#include "log.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

struct uw_rec *uw_overrides;
static pthread_key_t uw_key;

static size_t rec_size(void)
{
	return sizeof(struct uw_rec);
}

/* Under uw_mutex: `from` cannot change meanwhile. */
static bool rec_copy(struct uw_rec *to, const struct uw_rec *from)
{
	to->groups = to->small;
	if (!uw_groups_reserve(to, from->ngroups))
		return false;
	to->ids = from->ids;
	memcpy(to->groups, from->groups, (size_t)from->ngroups * sizeof(gid_t));
	to->ngroups = from->ngroups;
	return true;
}

struct uw_rec *uw_rec_new(const struct uw_rec *from)
{
	void *p = mmap(NULL, rec_size(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	struct uw_rec *r = p;

	if (!rec_copy(r, from)) {
		munmap(p, rec_size());
		return NULL;
	}
	return r;
}

void uw_rec_free(struct uw_rec *r)
{
	if (r->groups != r->small)
		munmap(r->groups, NGROUPS_MAX * sizeof(gid_t));
	munmap(r, rec_size());
}

static void unlink_override(struct uw_rec *r)
{
	for (struct uw_rec **p = &uw_overrides; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			return;
		}
	}
}

static void thread_gone(void *value)
{
	struct uw_rec *r = value;
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	cw_lock(&uw_mutex);
	unlink_override(r);
	if (uw_mine == r)
		uw_mine = NULL;
	cw_unlock(&uw_mutex);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	uw_rec_free(r);
}

void uw_override_attach(struct uw_rec *r)
{
	uw_mine = r;
	pthread_setspecific(uw_key, r);
}

/* After fork the child has one thread: the others' overrides go. */
static void fork_child(void)
{
	struct uw_rec *r = uw_overrides, *next;

	uw_overrides = NULL;
	for (; r; r = next) {
		next = r->next;
		if (r == uw_mine) {
			r->next = NULL;
			uw_overrides = r;
		} else {
			uw_rec_free(r);
		}
	}
}

static pthread_once_t uw_threads_once = PTHREAD_ONCE_INIT;

static void threads_init(void)
{
	pthread_key_create(&uw_key, thread_gone);
	pthread_atfork(NULL, NULL, fork_child);
}

/*
 * Only a thread that leaves the common view needs any of this, so it is
 * set up then, not at every process start.  Never under uw_mutex: fork()
 * holds glibc's atfork lock while its prepare handler takes uw_mutex.
 */
void uw_threads_init(void)
{
	pthread_once(&uw_threads_once, threads_init);
}

/* --- pthread_create ----------------------------------------------------- */

struct uw_start {
	void *(*fn)(void *);
	void *arg;
	struct uw_rec *rec;
};

static void *start_with_override(void *p)
{
	struct uw_start st = *(struct uw_start *)p;

	munmap(p, sizeof(st));
	uw_override_attach(st.rec);
	return st.fn(st.arg);
}

CW_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			     void *(*fn)(void *), void *arg)
{
	struct uw_start *st;
	struct uw_rec *rec;
	sigset_t all, old;
	int err;

	/* Without an override, the new thread reads the process record
	 * like its creator: nothing to hand over. */
	if (uw_mine == NULL || !UW_READY())
		return REAL(pthread_create)(thread, attr, fn, arg);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return EAGAIN;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	cw_lock(&uw_mutex);
	rec = uw_rec_new(uw_mine);
	if (rec) {
		/* Listed at once, so a set*id() broadcast made before the
		 * thread runs reaches it too. */
		rec->next = uw_overrides;
		uw_overrides = rec;
	}
	cw_unlock(&uw_mutex);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rec == NULL) {
		munmap(st, sizeof(*st));
		return EAGAIN;
	}
	st->fn = fn;
	st->arg = arg;
	st->rec = rec;
	err = REAL(pthread_create)(thread, attr, start_with_override, st);
	if (err != 0) {
		munmap(st, sizeof(*st));
		thread_gone(rec);
	}
	return err;
}
