/*
 * The capture file: one classic pcap file (nanosecond timestamps, linktype
 * RAW = bare IPv4/IPv6 packets) shared by every process of an environment.
 *
 * - Readers never see a file without its header: the creator writes the
 *   header to a private temporary file and link()s it into place; link()
 *   fails with EEXIST for everyone but the first, who all just append.
 * - Every batch of whole records is one write() on an O_APPEND descriptor,
 *   which the kernel performs under the inode lock: records of processes
 *   writing at once never interleave.
 * - The descriptor is a real one in the program's table, so a program may
 *   close it or reuse its number (daemons close every descriptor): before
 *   each write the descriptor is checked to still be our file (fstat), and
 *   reopened otherwise.
 * - A file that cannot be used (unwritable path, foreign file) is logged
 *   once and stops capture in this process.  A failure that may pass (disk
 *   full, quota) drops records until appends work again (pcap_loss.c).
 *   Either way the program's traffic is unaffected.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "calls.h"
#include "log.h"
#include "pcap.h"
#include "pcap_loss.h"

#define SW_PCAP_MAGIC_NS 0xa1b23c4du
#define SW_LINKTYPE_RAW 101u

bool sw_pcap_on;

static char sw_pcap_path[PATH_MAX];
static pthread_mutex_t sw_pcap_lock = PTHREAD_MUTEX_INITIALIZER;
static int sw_pcap_fd = -1;
static dev_t sw_pcap_dev;
static ino_t sw_pcap_ino;

void sw_pcap_init(void)
{
	const char *var = "SOCKET_WRAPPER_PCAP_FILE";
	const char *path = getenv(var);
	char cwd[PATH_MAX];

	if (path == NULL || *path == '\0' || sw_config()->state != SW_ON)
		return;
	while (path[0] == '.' && path[1] == '/')
		path += 2;         /* upstream strips a leading ./ */
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(sw_pcap_path))
			goto too_long;
		strcpy(sw_pcap_path, path);
	} else {
		/* Relative to where the process started, not where it chdir()s. */
		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    (size_t)snprintf(sw_pcap_path, sizeof(sw_pcap_path), "%s/%s", cwd, path) >=
			    sizeof(sw_pcap_path))
			goto too_long;
	}
	sw_pcap_on = true;
	sw_fsize_at_start();
	return;
too_long:
	cw_log(CW_ERROR, "%s=\"%s\": path too long; no capture", var, path);
}

const char *sw_pcap_file_path(void)
{
	return sw_pcap_path;
}

static void sw_pcap_fail(const char *what, int err)
{
	sw_pcap_on = false;
	cw_log(CW_ERROR, "SOCKET_WRAPPER_PCAP_FILE=\"%s\": %s: %s; capture stopped in "
	       "this process (its traffic is unaffected)", sw_pcap_path, what, strerror(err));
}

static void sw_pcap_header(uint8_t hdr[24])
{
	uint32_t magic = SW_PCAP_MAGIC_NS, snaplen = 262144, link = SW_LINKTYPE_RAW;
	uint16_t major = 2, minor = 4;

	memset(hdr, 0, 24);
	memcpy(hdr, &magic, 4);
	memcpy(hdr + 4, &major, 2);
	memcpy(hdr + 6, &minor, 2);
	memcpy(hdr + 16, &snaplen, 4);
	memcpy(hdr + 20, &link, 4);
}

/* Creates the file with its header in one step (temporary file + link). */
static int sw_pcap_create(void)
{
	char tmp[PATH_MAX + 32];
	uint8_t hdr[24];
	int fd, err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d.tmp", sw_pcap_path, (int)REAL(getpid)()) >=
	    sizeof(tmp))
		return ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno;
	sw_pcap_header(hdr);
	errno = ENOSPC;                /* what a short write means */
	if (REAL(write)(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
		err = errno;
	close(fd);
	if (err == 0 && link(tmp, sw_pcap_path) != 0 && errno != EEXIST)
		err = errno;
	unlink(tmp);
	return err;
}

/* Checks an existing file: our header, or empty (made by someone else,
 * e.g. a test harness): then the header is written under an flock. */
static int sw_pcap_check(int fd)
{
	uint8_t want[24], have[24];
	struct stat st;
	int err = 0;

	sw_pcap_header(want);
	flock(fd, LOCK_EX);
	if (fstat(fd, &st) != 0) {
		err = errno;
	} else if (st.st_size == 0) {
		errno = ENOSPC;        /* what a short write means */
		if (REAL(write)(fd, want, sizeof(want)) != (ssize_t)sizeof(want)) {
			err = errno;
			(void)!ftruncate(fd, 0);   /* no half header for the next one */
		}
	} else if (pread(fd, have, sizeof(have), 0) != (ssize_t)sizeof(have) ||
		   memcmp(have, want, 8) != 0 || memcmp(have + 20, want + 20, 4) != 0) {
		err = EINVAL;
	}
	flock(fd, LOCK_UN);
	return err;
}

/* Full disk and the like pass: retried later.  Anything else is for good. */
static void sw_pcap_open_error(int err, const char *what)
{
	if (sw_pcap_open_error_passes(err))
		sw_pcap_open_failed(what, err);
	else
		sw_pcap_fail(what, err);
}

static int sw_pcap_open(void)
{
	struct stat st;
	int fd, err;

	fd = open(sw_pcap_path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		err = sw_pcap_create();
		if (err) {
			sw_pcap_open_error(err, "cannot create it");
			return -1;
		}
		fd = open(sw_pcap_path, O_RDWR | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		sw_pcap_open_error(errno, "cannot open it");
		return -1;
	}
	err = sw_pcap_check(fd);
	if (err || fstat(fd, &st) != 0) {
		close(fd);
		if (err == EINVAL)
			sw_pcap_fail("not a capture file written by cwrap (pcap, nanosecond, "
				     "raw IP); remove it", err);
		else
			sw_pcap_open_error(err ? err : errno, "cannot write its header");
		return -1;
	}
	/* Readers check the descriptor against these without the lock. */
	__atomic_store_n(&sw_pcap_dev, st.st_dev, __ATOMIC_RELAXED);
	__atomic_store_n(&sw_pcap_ino, st.st_ino, __ATOMIC_RELAXED);
	__atomic_store_n(&sw_pcap_fd, fd, __ATOMIC_RELEASE);
	return fd;
}

/* Our descriptor, still ours (see the top of the file), or a fresh one. */
static int sw_pcap_fd_checked(void)
{
	struct stat st;
	int fd = __atomic_load_n(&sw_pcap_fd, __ATOMIC_ACQUIRE);

	if (sw_is_restricted())
		return fd;              /* under seccomp: no fstat, no reopening */
	if (fd >= 0 && fstat(fd, &st) == 0 &&
	    st.st_dev == __atomic_load_n(&sw_pcap_dev, __ATOMIC_RELAXED) &&
	    st.st_ino == __atomic_load_n(&sw_pcap_ino, __ATOMIC_RELAXED))
		return fd;
	pthread_mutex_lock(&sw_pcap_lock);
	if (fd == __atomic_load_n(&sw_pcap_fd, __ATOMIC_ACQUIRE))
		fd = sw_pcap_on ? sw_pcap_open() : -1;   /* the old number is not ours now */
	else
		fd = __atomic_load_n(&sw_pcap_fd, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sw_pcap_lock);
	return fd;
}

/* One write(2) of the whole batch, for programs under seccomp (which may
 * allow write but not writev): records must stay whole in the file. */
static ssize_t sw_write_gathered(int fd, const struct iovec *iov, int cnt, size_t len)
{
	char *buf = malloc(len ? len : 1);
	size_t off = 0;
	ssize_t n;

	if (buf == NULL)
		return -1;
	for (int i = 0; i < cnt; i++) {
		memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	n = REAL(write)(fd, buf, len);
	free(buf);
	return n;
}

/* Records in a batch of whole records (only when some are lost). */
static size_t sw_pcap_records(const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (size_t at = 0; at + 16 <= len; n++) {
		uint32_t incl;

		memcpy(&incl, buf + at + 8, 4);
		at += 16 + incl;
	}
	return n;
}

#define SW_COUNT_THEM SIZE_MAX

/* A batch's record count, counted only when some are lost. */
static size_t sw_records(const struct iovec *iov, size_t records, size_t len)
{
	return records == SW_COUNT_THEM ? sw_pcap_records(iov[0].iov_base, len) : records;
}

/* One write of a batch, and what happens when it is not whole.  `records`
 * may be SW_COUNT_THEM for one buffer of whole records. */
static void sw_pcap_append(struct iovec *iov, int cnt, size_t len, size_t records,
			   uint8_t *const *stamp, int nstamp)
{
	struct timespec ts;
	ssize_t n;
	int fd;

	if (__builtin_expect(atomic_load_explicit(&sw_pcap_losing, memory_order_relaxed), 0) &&
	    !sw_pcap_may_retry(sw_records(iov, records, len), len))
		return;
	fd = sw_pcap_fd_checked();
	if (fd < 0) {
		sw_pcap_dropped(sw_records(iov, records, len), len);
		return;
	}
	if (__builtin_expect(!sw_fsize_allows(fd, len), 0)) {
		sw_pcap_append_failed(fd, iov, cnt, len, sw_records(iov, records, len), -1, EFBIG);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	for (int i = 0; i < nstamp; i++) {
		uint32_t sec = (uint32_t)ts.tv_sec, nsec = (uint32_t)ts.tv_nsec;

		memcpy(stamp[i], &sec, 4);
		memcpy(stamp[i] + 4, &nsec, 4);
	}
	n = sw_is_restricted() ? sw_write_gathered(fd, iov, cnt, len) : REAL(writev)(fd, iov, cnt);
	if (__builtin_expect(n == (ssize_t)len, 1)) {
		if (__builtin_expect(atomic_load_explicit(&sw_pcap_losing,
							  memory_order_relaxed), 0))
			sw_pcap_resumed();
	} else if (sw_pcap_on) {
		sw_pcap_append_failed(fd, iov, cnt, len, sw_records(iov, records, len), n, errno);
	}
}

void sw_pcap_writev(struct iovec *iov, int cnt, uint8_t *const *stamp, int nstamp)
{
	int saved = errno;
	size_t len = 0;

	for (int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	sw_pcap_append(iov, cnt, len, (size_t)nstamp, stamp, nstamp);
	errno = saved;
}

void sw_pcap_write(const void *records, size_t len)
{
	int saved = errno;
	struct iovec iov = { (void *)records, len };

	/* Stamped here, not in sw_pcap_append: the batch holds its own
	 * record headers and sw_pkt_stamp knows how to walk them. */
	sw_pkt_stamp((uint8_t *)records, len);
	sw_pcap_append(&iov, 1, len, SW_COUNT_THEM, NULL, 0);
	errno = saved;
}
