/*
 * Capture state shared by every process that holds a connection.
 *
 * A server that forks per connection, sshd handing the connection to a
 * re-executed copy of itself and then to its privilege-separated children,
 * a descriptor passed with SCM_RIGHTS: each of these processes sends and
 * reads on the same TCP connection, and the capture must show one stream
 * with one sequence space.  So the state of a connection end is not kept
 * in the process but in "<socket dir>/.pcap-conns", a fixed table mapped
 * MAP_SHARED by every process of the directory, keyed by the AF_UNIX
 * socket's inode (which a process that exec()ed finds again with fstat).
 *
 * - Slots are claimed with a compare-and-swap on their state word and
 *   found by linear probing from the inode's hash, at most SW_PROBES away.
 * - A slot's mutex is process-shared and robust: a process killed while
 *   holding it does not stop the others.
 * - A slot is given back when its last holder closes; one whose holders
 *   all died without closing is reclaimed when its probe window is full.
 * - When the table cannot be used (an unwritable directory, a seccomp
 *   filter, a full window) a connection gets private state: it is then
 *   recorded by the process that made it only, as before sharing existed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "calls.h"
#include "log.h"
#include "pcap.h"

#define SW_SLOTS 16384u               /* a power of two */
#define SW_PROBES 64u
#define SW_TABLE_MAGIC 0x33435043u    /* "CPC3": layout version 3 */

enum { SW_SLOT_FREE, SW_SLOT_BUSY, SW_SLOT_LIVE, SW_SLOT_GONE };

struct sw_conns_hdr {
	_Atomic uint32_t magic;
	uint32_t slots, slot_size;
	uint8_t pad[52];
};

struct sw_conns_file {
	struct sw_conns_hdr hdr;
	struct sw_pcap_conn slot[SW_SLOTS];
};

static struct sw_conns_file *_Atomic sw_table;
static _Atomic bool sw_table_tried;
static pthread_mutex_t sw_table_lock = PTHREAD_MUTEX_INITIALIZER;

/* Private state given back, for reuse (threads may still read it). */
static struct sw_pcap_conn *sw_private_free;
static pthread_mutex_t sw_private_lock = PTHREAD_MUTEX_INITIALIZER;

static bool sw_table_header_ok(struct sw_conns_file *t)
{
	uint32_t want = 0;

	if (atomic_compare_exchange_strong(&t->hdr.magic, &want, SW_TABLE_MAGIC)) {
		t->hdr.slots = SW_SLOTS;
		t->hdr.slot_size = sizeof(struct sw_pcap_conn);
		return true;
	}
	return want == SW_TABLE_MAGIC;
}

static struct sw_conns_file *sw_table_open(void)
{
	char path[PATH_MAX];
	struct stat st;
	void *map;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/.pcap-conns", sw_config()->dir) >=
	    sizeof(path))
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (st.st_size != 0 && st.st_size != sizeof(struct sw_conns_file)) ||
	    (st.st_size == 0 && ftruncate(fd, sizeof(struct sw_conns_file)) != 0)) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, sizeof(struct sw_conns_file), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	if (!sw_table_header_ok(map)) {
		munmap(map, sizeof(struct sw_conns_file));
		return NULL;
	}
	return map;
}

/* The table, mapped on first need; NULL when it cannot be had. */
static struct sw_conns_file *sw_conns(void)
{
	struct sw_conns_file *t = atomic_load_explicit(&sw_table, memory_order_acquire);

	if (t != NULL || atomic_load(&sw_table_tried) || sw_is_restricted())
		return t;
	pthread_mutex_lock(&sw_table_lock);
	if (!atomic_load(&sw_table_tried)) {
		t = sw_table_open();
		if (t == NULL)
			cw_log(CW_WARN, "capture: cannot use %s/.pcap-conns; connections handed "
			       "between processes are recorded by their first process only",
			       sw_config()->dir);
		atomic_store_explicit(&sw_table, t, memory_order_release);
		atomic_store(&sw_table_tried, true);
	}
	t = atomic_load(&sw_table);
	pthread_mutex_unlock(&sw_table_lock);
	return t;
}

static uint64_t sw_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static size_t sw_home(uint64_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 50) & (SW_SLOTS - 1);
}

void sw_conn_lock(struct sw_pcap_conn *c)
{
	if (pthread_mutex_lock(&c->m) == EOWNERDEAD)
		pthread_mutex_consistent(&c->m);   /* its holder died: go on */
}

void sw_conn_unlock(struct sw_pcap_conn *c)
{
	pthread_mutex_unlock(&c->m);
}

/* --- holders --- */

bool sw_conn_has(const struct sw_pcap_conn *c, pid_t pid)
{
	for (int i = 0; i < SW_PCAP_PIDS; i++)
		if (c->pids[i] == pid)
			return true;
	return false;
}

static bool sw_pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* Does `pid` have the socket open?  Asked of /proc; when it cannot be
 * told, the answer is yes (a missing FIN is better than a false one). */
static bool sw_pid_holds(pid_t pid, uint64_t ino)
{
	char dir[64], want[48], link[48];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (!sw_pid_alive(pid))
		return false;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%" PRIu64 "]", ino);
	d = opendir(dir);
	if (d == NULL)
		return errno != ENOENT;
	while (!found && (e = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

void sw_conn_add(struct sw_pcap_conn *c, pid_t pid)
{
	if (sw_conn_has(c, pid))
		return;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < SW_PCAP_PIDS; i++) {
			if (c->pids[i] == 0) {
				c->pids[i] = pid;
				return;
			}
		}
		if (pass == 0 && c->shared && !sw_is_restricted())
			for (int i = 0; i < SW_PCAP_PIDS; i++)
				if (!sw_pid_alive(c->pids[i]))
					c->pids[i] = 0;
	}
	/* Full of live holders: this one sends unrecorded. */
}

void sw_conn_remove(struct sw_pcap_conn *c, pid_t pid)
{
	for (int i = 0; i < SW_PCAP_PIDS; i++)
		if (c->pids[i] == pid)
			c->pids[i] = 0;
	c->left[c->left_next++ % SW_PCAP_PIDS] = pid;
}

static bool sw_conn_has_left(const struct sw_pcap_conn *c, pid_t pid)
{
	for (int i = 0; i < SW_PCAP_PIDS; i++)
		if (c->left[i] == pid)
			return true;
	return false;
}

/* Does one of the pids listed in a /proc/self/task/TID/children file hold
 * the socket?  It becomes a holder. */
static bool sw_children_in(const char *path, struct sw_pcap_conn *c)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = REAL(read)(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *p = buf, *end; *p != '\0'; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && !sw_conn_has_left(c, (pid_t)pid) &&
		    sw_pid_holds((pid_t)pid, c->ino)) {
			sw_conn_add(c, (pid_t)pid);
			return true;
		}
	}
	return false;
}

/* Children started without fork() (posix_spawn, vfork) are not known as
 * holders until they run; one may hold the socket already. */
static bool sw_children_hold(struct sw_pcap_conn *c)
{
	siginfo_t info;
	struct dirent *e;
	bool found = false;
	DIR *d;

	/* Most processes have no child: one call says so (WNOWAIT: a child
	 * that has exited stays to be waited for by the program). */
	if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD)
		return false;
	d = opendir("/proc/self/task");
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		char path[64];
		long tid = strtol(e->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%ld/children", tid);
		found = sw_children_in(path, c);
	}
	closedir(d);
	return found;
}

bool sw_conn_others_hold(struct sw_pcap_conn *c, pid_t self)
{
	if (!c->shared)
		return false;
	if (sw_is_restricted() || c->in_flight > 0)
		return true;           /* no /proc under a filter: assume so */
	for (int i = 0; i < SW_PCAP_PIDS; i++) {
		if (c->pids[i] == 0 || c->pids[i] == self)
			continue;
		if (sw_pid_holds(c->pids[i], c->ino))
			return true;
		c->pids[i] = 0;
	}
	return sw_children_hold(c);
}

/* --- slots --- */

static bool sw_slot_abandoned(struct sw_pcap_conn *c)
{
	bool dead = true;

	sw_conn_lock(c);
	for (int i = 0; i < SW_PCAP_PIDS && dead; i++)
		dead = c->pids[i] == 0 || !sw_pid_alive(c->pids[i]);
	sw_conn_unlock(c);
	return dead;
}

static bool sw_slot_take(struct sw_pcap_conn *c, bool reclaim)
{
	uint32_t s = atomic_load_explicit(&c->slot, memory_order_acquire);

	if (s == SW_SLOT_FREE || s == SW_SLOT_GONE)
		return atomic_compare_exchange_strong(&c->slot, &s, SW_SLOT_BUSY);
	if (reclaim && s == SW_SLOT_LIVE && sw_slot_abandoned(c))
		return atomic_compare_exchange_strong(&c->slot, &s, SW_SLOT_BUSY);
	return false;
}

/* The live slot of this inode within its probe window, or NULL. */
static struct sw_pcap_conn *sw_probe_live(struct sw_conns_file *t, uint64_t ino)
{
	size_t home = sw_home(ino);

	for (size_t i = 0; i < SW_PROBES; i++) {
		struct sw_pcap_conn *c = &t->slot[(home + i) & (SW_SLOTS - 1)];
		uint32_t s = atomic_load_explicit(&c->slot, memory_order_acquire);

		if (s == SW_SLOT_FREE)
			break;
		if (s == SW_SLOT_LIVE && __atomic_load_n(&c->ino, __ATOMIC_RELAXED) == ino)
			return c;
	}
	return NULL;
}

/* A slot still live under this inode is a socket's that is gone (the
 * kernel gave its inode number to ours): retire it. */
static void sw_retire_same_inode(struct sw_conns_file *t, uint64_t ino)
{
	struct sw_pcap_conn *c;

	while ((c = sw_probe_live(t, ino)) != NULL) {
		uint32_t live = SW_SLOT_LIVE;

		atomic_compare_exchange_strong(&c->slot, &live, SW_SLOT_GONE);
	}
}

static void sw_conn_reset(struct sw_pcap_conn *c, bool shared, uint64_t ino)
{
	pthread_mutexattr_t attr;

	memset((char *)c + offsetof(struct sw_pcap_conn, shared), 0,
	       sizeof(*c) - offsetof(struct sw_pcap_conn, shared));
	pthread_mutexattr_init(&attr);
	if (shared) {
		pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(&c->m, &attr);
	pthread_mutexattr_destroy(&attr);
	c->shared = shared;
	c->ino = ino;
	c->pids[0] = REAL(getpid)();
}

static struct sw_pcap_conn *sw_conn_claim(struct sw_conns_file *t, uint64_t ino)
{
	size_t home = sw_home(ino);

	sw_retire_same_inode(t, ino);
	for (int reclaim = 0; reclaim < 2; reclaim++) {
		for (size_t i = 0; i < SW_PROBES; i++) {
			struct sw_pcap_conn *c = &t->slot[(home + i) & (SW_SLOTS - 1)];

			if (sw_slot_take(c, reclaim)) {
				sw_conn_reset(c, true, ino);
				atomic_store_explicit(&c->slot, SW_SLOT_LIVE, memory_order_release);
				return c;
			}
		}
	}
	return NULL;
}

static struct sw_pcap_conn *sw_conn_private(uint64_t ino)
{
	struct sw_pcap_conn *c;

	pthread_mutex_lock(&sw_private_lock);
	c = sw_private_free;
	if (c != NULL)
		sw_private_free = c->next_free;
	pthread_mutex_unlock(&sw_private_lock);
	if (c == NULL && (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	sw_conn_reset(c, false, ino);
	return c;
}

struct sw_pcap_conn *sw_conn_new(int fd)
{
	struct sw_conns_file *t = sw_is_restricted() ? NULL : sw_conns();
	uint64_t ino = t != NULL ? sw_inode(fd) : 0;
	struct sw_pcap_conn *c = NULL;

	if (ino != 0)
		c = sw_conn_claim(t, ino);
	return c != NULL ? c : sw_conn_private(ino);
}

struct sw_pcap_conn *sw_conn_find(int fd)
{
	struct sw_conns_file *t = sw_is_restricted() ? NULL : sw_conns();
	uint64_t ino = t != NULL ? sw_inode(fd) : 0;

	return ino != 0 ? sw_probe_live(t, ino) : NULL;
}

void sw_conn_release(struct sw_pcap_conn *c)
{
	if (c->shared) {
		uint32_t live = SW_SLOT_LIVE;

		atomic_compare_exchange_strong(&c->slot, &live, SW_SLOT_GONE);
		return;
	}
	pthread_mutex_lock(&sw_private_lock);
	c->next_free = sw_private_free;
	sw_private_free = c;
	pthread_mutex_unlock(&sw_private_lock);
}

/* --- fork --- */

static void sw_conns_each(void (*fn)(struct sw_pcap_conn *, pid_t), pid_t pid)
{
	for (size_t fd = 0; fd < sw_fdtable_len; fd++) {
		struct sw_sock *sock = sw_fd_get((int)fd);
		struct sw_pcap_conn *c = sock ? atomic_load(&sock->pcap.conn) : NULL;

		if (c != NULL)
			fn(c, pid);
	}
}

/* A child may have run, finished and let go before its parent names it. */
static void sw_add_locked(struct sw_pcap_conn *c, pid_t pid)
{
	if (!c->shared)
		return;
	sw_conn_lock(c);
	if (!sw_conn_has_left(c, pid))
		sw_conn_add(c, pid);
	sw_conn_unlock(c);
}

static void sw_private_child(struct sw_pcap_conn *c, pid_t pid)
{
	(void)pid;
	if (!c->shared)         /* our copy: a parent thread may have held it */
		pthread_mutex_init(&c->m, NULL);
}

void sw_conns_forked(pid_t child)
{
	if (sw_pcap_on && child > 0)
		sw_conns_each(sw_add_locked, child);
}

void sw_conns_fork_child(void)
{
	if (!sw_pcap_on)
		return;
	sw_conns_each(sw_private_child, 0);
	sw_conns_each(sw_add_locked, REAL(getpid)());
}
