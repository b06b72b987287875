/*
 * Knowing that a database file did not change, without stat()ing it.
 *
 * One inotify instance per process watches the directory of each file
 * (for a file created, deleted or renamed over by name) and the file
 * itself (for writes and attribute changes through any of its links).
 * A lookup asks the instance whether anything happened with a zero-length
 * read(): EAGAIN means no event is queued, so nothing changed since the
 * file was last checked, and the lookup skips the stat().  Any other
 * answer sends the lookup down the old path (stat and compare), after the
 * queued events are read and the sources they name are marked dirty.
 *
 * Only plain cases are watched: an absolute path whose directory has no
 * symbolic link in it and that is not itself a symbolic link.  Anything
 * else, or no inotify (limits reached, EMFILE), stat()s on each lookup.
 *
 * The descriptor is the program's business too: it may close it
 * (close_range, closefrom) and get the number back for something else.
 * A closed number (EBADF) or one that answers unlike an idle inotify
 * instance is checked on this slow path (fstat, then /proc/self/fdinfo);
 * a number that is no longer ours is forgotten, never read or closed, and
 * a new instance is made.  After fork() the child closes its copy of the
 * parent's instance (sharing it would let one process eat the other's
 * events) and makes its own on its next lookup.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "nw.h"

#define NW_DIR_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		       IN_DELETE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | \
		       IN_ONLYDIR)
#define NW_FILE_EVENTS (IN_CLOSE_WRITE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | \
			IN_MOVE_SELF | IN_DONT_FOLLOW)

/* Kept above the low numbers a program hands out right after closing all. */
#define NW_WATCH_FD_MIN 200

struct cw_mutex nw_watch_lock = CW_MUTEX_INIT;

static struct {
	atomic_int fd;          /* -1: none yet (or forgotten) */
	bool unavailable;       /* inotify cannot be had: stat() always */
	dev_t dev;              /* fstat() of the instance when made */
	ino_t ino;
	int first_wd;           /* a watch of ours, to recognise the instance */
	ino_t first_ino;        /* the inode it watches */
	atomic_int draining;    /* events are being read: do not trust EAGAIN */
} nw_w = { .fd = -1 };

static struct nw_source *const nw_watched[] = {
	&nw_passwd_source, &nw_group_source, &nw_shadow_source, &nw_hosts_source,
};
#define NW_NWATCHED (sizeof(nw_watched) / sizeof(nw_watched[0]))

static void nw_forget_watches(void)
{
	for (size_t i = 0; i < NW_NWATCHED; i++) {
		atomic_store(&nw_watched[i]->watch.dir_wd, -1);
		atomic_store(&nw_watched[i]->watch.file_wd, -1);
		atomic_store(&nw_watched[i]->watch.dirty, true);
	}
	nw_w.first_wd = -1;
}

/* Whether `fd` is still the instance made here (slow path only). */
static bool nw_fd_is_ours(int fd)
{
	char path[64], text[4096], want[64];
	struct stat st;
	ssize_t n;
	int pfd;

	if (fstat(fd, &st) != 0 || st.st_dev != nw_w.dev || st.st_ino != nw_w.ino ||
	    nw_w.first_wd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return false;
	n = read(pfd, text, sizeof(text) - 1);
	close(pfd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	snprintf(want, sizeof(want), "inotify wd:%x ino:%lx ", (unsigned)nw_w.first_wd,
		 (unsigned long)nw_w.first_ino);
	return strstr(text, want) != NULL;
}

static void nw_after_fork_child(void)
{
	int fd = atomic_load(&nw_w.fd);

	if (fd >= 0 && nw_fd_is_ours(fd))
		close(fd);
	atomic_store(&nw_w.fd, -1);
	atomic_store(&nw_w.draining, 0);
	nw_forget_watches();
}

static void nw_install_fork_handler(void)
{
	pthread_atfork(NULL, NULL, nw_after_fork_child);
}

/* A new instance, kept above the low numbers; false when none. */
static bool nw_instance_make(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct stat st;
	int fd = -1, high;

	/* Without fdinfo a reused number could not be told from ours. */
	if (access("/proc/self/fdinfo", R_OK) == 0)
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	else
		errno = ENOENT;
	if (fd < 0) {
		CW_LOG(CW_DEBUG, "inotify unavailable (%s): each lookup stat()s its file",
		       strerror(errno));
		nw_w.unavailable = true;
		return false;
	}
	high = fcntl(fd, F_DUPFD_CLOEXEC, NW_WATCH_FD_MIN);
	if (high >= 0) {
		close(fd);
		fd = high;
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		nw_w.unavailable = true;
		return false;
	}
	pthread_once(&once, nw_install_fork_handler);
	atomic_store(&nw_w.fd, fd);
	nw_w.dev = st.st_dev;
	nw_w.ino = st.st_ino;
	nw_forget_watches();
	return true;
}

/*
 * The directory part of an absolute path when the path is one the
 * watches can follow (no symbolic link on the way); NULL otherwise.
 */
static char *nw_plain_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir, *real;
	bool plain;

	if (path[0] != '/' || slash[1] == '\0')
		return NULL;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return NULL;
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return NULL;
	real = realpath(dir, NULL);
	plain = real != NULL && strcmp(real, dir) == 0;
	free(real);
	if (!plain) {
		free(dir);
		return NULL;
	}
	*base = slash + 1;
	return dir;
}

/* This path is left to stat(): said once, never tried again. */
static void nw_watch_give_up(struct nw_watch *w, const char *path, const char *why)
{
	char *copy = strdup(path);

	CW_LOG(CW_DEBUG, "%s %s: each lookup stat()s it", path, why);
	free(w->path);
	w->path = copy;
	w->base = NULL;
	w->plain = false;
	atomic_store(&w->dir_wd, -1);
}

static void nw_watch_add(struct nw_source *src, const char *path)
{
	struct nw_watch *w = &src->watch;
	const char *base = NULL;
	char *dir = nw_plain_dir(path, &base), *copy = strdup(path);
	struct stat st;
	int wd = -1;

	if (dir != NULL && copy != NULL && !nw_w.unavailable &&
	    (atomic_load(&nw_w.fd) >= 0 || nw_instance_make()))
		wd = inotify_add_watch(atomic_load(&nw_w.fd), dir, NW_DIR_EVENTS);
	if (wd < 0) {
		nw_watch_give_up(w, path, dir == NULL ? "is not a plain absolute path"
			       : nw_w.unavailable ? "has no inotify" : "cannot be watched");
		free(dir);
		free(copy);
		return;
	}
	if (nw_w.first_wd < 0 && stat(dir, &st) == 0) {
		nw_w.first_wd = wd;
		nw_w.first_ino = st.st_ino;
	}
	free(dir);
	free(w->path);
	w->path = copy;
	w->base = copy + (base - path);
	atomic_store(&w->dir_wd, wd);
}

void nw_watch_arm(struct nw_source *src, const char *path)
{
	struct nw_watch *w = &src->watch;
	struct stat st;

	if (!w->plain && w->path != NULL && strcmp(w->path, path) == 0)
		return;         /* given up on: stat() alone, as cheap as before */
	/* Became a symbolic link (or something else): its target is not watched. */
	if (lstat(path, &st) == 0 ? !S_ISREG(st.st_mode) : errno != ENOENT) {
		nw_watch_give_up(w, path, "is not a regular file");
		return;
	}
	w->plain = true;
	cw_lock(&nw_watch_lock);
	if (atomic_load(&w->dir_wd) < 0 || w->path == NULL || strcmp(w->path, path) != 0)
		nw_watch_add(src, path);
	if (atomic_load(&w->dir_wd) >= 0)
		atomic_store(&w->file_wd, inotify_add_watch(atomic_load(&nw_w.fd), path,
							    NW_FILE_EVENTS));
	/* Watched from here on: what happens after this is queued, what
	 * happened before, the caller's stat() sees. */
	atomic_store(&w->dirty, false);
	cw_unlock(&nw_watch_lock);
}

bool nw_watch_covers(const struct nw_source *src, const char *path)
{
	const struct nw_watch *w = &src->watch;

	return w->plain && atomic_load(&w->dir_wd) >= 0 && !atomic_load(&w->dirty) &&
	       w->path != NULL && strcmp(w->path, path) == 0;
}

/* Marks the sources an event may concern. */
static void nw_event(const struct inotify_event *ev)
{
	for (size_t i = 0; i < NW_NWATCHED; i++) {
		struct nw_watch *w = &nw_watched[i]->watch;
		int dir_wd = atomic_load(&w->dir_wd);
		bool mine = ev->wd == -1 || ev->wd == atomic_load(&w->file_wd) ||
			    (ev->wd == dir_wd &&
			     (ev->len == 0 || (w->base && strcmp(ev->name, w->base) == 0)));

		if (!mine)
			continue;
		atomic_store(&w->dirty, true);
		if (ev->wd == dir_wd && (ev->mask & (IN_IGNORED | IN_MOVE_SELF)))
			atomic_store(&w->dir_wd, -1);   /* armed again on the slow path */
	}
	if (ev->wd == nw_w.first_wd && (ev->mask & IN_IGNORED))
		nw_w.first_wd = -1;
}

/* Reads every queued event; false when the descriptor is not ours now. */
static bool nw_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			nw_event(ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* What a zero-length read() says: 0, or the errno. */
static int nw_peek(int fd)
{
	char c;

	return read(fd, &c, 0) < 0 ? errno : 0;
}

/*
 * Something other than "nothing queued": under the lock, read the events
 * (EINVAL: some are queued), or give up a descriptor that is not ours.
 */
static void nw_watch_slow(void)
{
	int fd, said;

	cw_lock(&nw_watch_lock);
	atomic_fetch_add(&nw_w.draining, 1);
	fd = atomic_load(&nw_w.fd);
	said = fd >= 0 ? nw_peek(fd) : EAGAIN;
	if (said != EAGAIN && !(said == EINVAL && nw_fd_is_ours(fd) && nw_drain(fd))) {
		CW_LOG(CW_DEBUG, "inotify descriptor %d was closed or reused by the program; "
		       "making a new one", fd);
		atomic_store(&nw_w.fd, -1);  /* not ours any more: never read or closed */
		nw_forget_watches();
	}
	atomic_fetch_sub(&nw_w.draining, 1);
	cw_unlock(&nw_watch_lock);
}

bool nw_watch_quiet(struct nw_source *src)
{
	int fd = atomic_load_explicit(&nw_w.fd, memory_order_relaxed);

	if (fd < 0 || atomic_load(&src->watch.dir_wd) < 0 || atomic_load(&src->watch.dirty))
		return false;
	if (nw_peek(fd) == EAGAIN)
		return atomic_load(&nw_w.draining) == 0;
	nw_watch_slow();
	return false;
}
