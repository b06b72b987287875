/*
 * The fake credentials: the process record, per-thread overrides, the
 * seqlock that lets get*id() read without locking, and the one place that
 * changes them.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "uw.h"

struct uw_rec uw_proc = { .groups = uw_proc.small };
struct cw_mutex uw_mutex = CW_MUTEX_INIT;
__thread struct uw_rec *uw_mine __attribute__((tls_model("initial-exec")));

/* --- seqlock ------------------------------------------------------------ */

unsigned uw_read_begin(const struct uw_rec *r)
{
	unsigned s;

	while ((s = atomic_load_explicit(&r->seq, memory_order_acquire)) & 1)
		;       /* a writer on another thread: it is not interrupted */
	return s;
}

bool uw_read_retry(const struct uw_rec *r, unsigned s)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&r->seq, memory_order_relaxed) != s;
}

static void write_begin(struct uw_rec *r)
{
	unsigned s = atomic_load_explicit(&r->seq, memory_order_relaxed);

	atomic_store_explicit(&r->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void write_end(struct uw_rec *r)
{
	unsigned s = atomic_load_explicit(&r->seq, memory_order_relaxed);

	atomic_store_explicit(&r->seq, s + 1, memory_order_release);
}

static void store_ids(struct uw_rec *r, const struct uw_ids *ids)
{
	for (int i = 0; i < 4; i++) {
		__atomic_store_n(&r->ids.uid[i], ids->uid[i], __ATOMIC_RELAXED);
		__atomic_store_n(&r->ids.gid[i], ids->gid[i], __ATOMIC_RELAXED);
	}
}

void uw_read_ids(const struct uw_rec *r, struct uw_ids *out)
{
	unsigned s;

	do {
		s = uw_read_begin(r);
		for (int i = 0; i < 4; i++) {
			out->uid[i] = __atomic_load_n(&r->ids.uid[i], __ATOMIC_RELAXED);
			out->gid[i] = __atomic_load_n(&r->ids.gid[i], __ATOMIC_RELAXED);
		}
	} while (uw_read_retry(r, s));
}

int uw_read_groups(int size, gid_t *list)
{
	return uw_read_groups_of(uw_view(), size, list);
}

int uw_read_groups_of(const struct uw_rec *r, int size, gid_t *list)
{
	unsigned s;
	int n;

	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	do {
		s = uw_read_begin(r);
		n = __atomic_load_n(&r->ngroups, __ATOMIC_RELAXED);
		if (size == 0)
			continue;
		if (size < n || list == NULL)
			continue;      /* decided below, on a consistent count */
		const gid_t *g = __atomic_load_n(&r->groups, __ATOMIC_ACQUIRE);

		if (g == r->small && n > UW_INLINE_GROUPS)
			continue;      /* mid-change: the retry sees it */
		for (int i = 0; i < n; i++)
			list[i] = __atomic_load_n(&g[i], __ATOMIC_RELAXED);
	} while (uw_read_retry(r, s));
	if (size != 0 && size < n) {
		errno = EINVAL;
		return -1;
	}
	if (size != 0 && n > 0 && list == NULL) {
		errno = EFAULT;        /* the kernel could not write them */
		return -1;
	}
	return n;
}

void uw_state_set_initial(const struct uw_ids *ids, int ngroups, const gid_t *groups)
{
	write_begin(&uw_proc);
	store_ids(&uw_proc, ids);
	uw_groups_store(&uw_proc, ngroups, groups);
	write_end(&uw_proc);
}

/* --- changes ------------------------------------------------------------ */

bool uw_groups_reserve(struct uw_rec *r, long n)
{
	gid_t *big;

	if (n <= UW_INLINE_GROUPS || r->groups != r->small)
		return true;
	big = mmap(NULL, NGROUPS_MAX * sizeof(gid_t), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return false;
	/* Same contents, so a reader on either array sees the truth. */
	memcpy(big, r->small, sizeof(r->small));
	__atomic_store_n(&r->groups, big, __ATOMIC_RELEASE);
	return true;
}

static int apply_to(struct uw_rec *r, const struct uw_op *op, const struct uw_ids *ids)
{
	if (op->kind == UW_SETGROUPS && !uw_groups_reserve(r, op->n))
		return ENOMEM;
	write_begin(r);
	store_ids(r, ids);
	if (op->kind == UW_SETGROUPS)
		uw_groups_store(r, op->n, op->list);
	write_end(r);
	return 0;
}

/* The same call made again by another thread (glibc's setxid broadcast):
 * with that thread's own ids, so -1 and the checks are its own. */
static void broadcast_to(struct uw_rec *r, const struct uw_op *op)
{
	struct uw_ids ids = r->ids;

	if (uw_rule(op, &ids, NULL) == 0 && apply_to(r, op, &ids) == 0)
		return;
	/* glibc aborts if a live thread refuses; but the record may also be
	 * the process view that no thread uses any more. */
	CW_LOG(CW_DEBUG, "a set*id() call succeeded in one thread but "
	       "not for another view of the ids; that one is unchanged");
}

int uw_change(const struct uw_op *op, bool broadcast, unsigned int *fs_old)
{
	sigset_t all, old;
	struct uw_rec *self;
	struct uw_ids ids;
	int err;

	if (!broadcast)
		uw_threads_init();      /* may create an override below */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	cw_lock(&uw_mutex);
	self = uw_view();
	ids = self->ids;        /* we are the only writer: a plain read */
	err = uw_rule(op, &ids, fs_old);
	if (err != 0)
		goto out;
	if (!broadcast && self == &uw_proc) {
		/* This thread leaves the common view: it gets its own record. */
		struct uw_rec *mine = uw_rec_new(&uw_proc);

		if (mine == NULL) {
			err = ENOMEM;   /* as the kernel, when it cannot copy creds */
			goto out;
		}
		mine->next = uw_overrides;
		uw_overrides = mine;
		uw_override_attach(mine);
		self = mine;
	}
	err = apply_to(self, op, &ids);
	if (err)
		goto out;
	if (broadcast) {
		if (self != &uw_proc)
			broadcast_to(&uw_proc, op);
		for (struct uw_rec *r = uw_overrides; r; r = r->next)
			if (r != self)
				broadcast_to(r, op);
	}
	uw_handoff_publish(self);
out:
	cw_unlock(&uw_mutex);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
