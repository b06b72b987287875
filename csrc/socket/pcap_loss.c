/*
 * A capture that cannot be appended to (disk full, quota, I/O error).
 *
 * - The program never notices: its calls have already been made or are
 *   made regardless; records are simply dropped.
 * - One message when this process starts losing records, naming the
 *   variable, the file and the error; one when appends have worked again
 *   for SW_PCAP_STABLE_NS (or at exit), with how many records and bytes
 *   were lost.  A nearly full disk takes small records and refuses big
 *   batches, again and again: that is one episode, not a line per batch.
 *   Records lost are absent from the file (tshark: "previous segment not
 *   captured"), while the TCP bookkeeping goes on, so what is there stays
 *   true.
 * - A full disk cuts a write short.  The written part ends in a torn
 *   record which would make every later record unreadable, so it is taken
 *   back at once (see sw_pcap_take_back).
 * - While losing, an append is tried at most every SW_PCAP_RETRY_NS (a
 *   coarse clock read, no system call, decides): a full disk costs a few
 *   failed writes a second, not one per packet.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calls.h"
#include "log.h"
#include "pcap_loss.h"

#define SW_PCAP_RETRY_NS 250000000ull
#define SW_PCAP_STABLE_NS 1000000000ull
#define SW_PCAP_REC 16                 /* a record's own header */

_Atomic int sw_pcap_losing;
static _Atomic uint64_t sw_pcap_retry_at, sw_pcap_failed_at;
static _Atomic uint64_t sw_lost_records, sw_lost_bytes;
static _Atomic bool sw_pcap_announced;  /* a loss was told, its end not yet */

static uint64_t sw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sw_count_lost(size_t records, size_t bytes)
{
	atomic_fetch_add_explicit(&sw_lost_records, records, memory_order_relaxed);
	atomic_fetch_add_explicit(&sw_lost_bytes, bytes, memory_order_relaxed);
}

bool sw_pcap_may_retry(size_t records, size_t bytes)
{
	uint64_t now = sw_now_ns();
	uint64_t at = atomic_load_explicit(&sw_pcap_retry_at, memory_order_relaxed);

	if (atomic_load_explicit(&sw_pcap_losing, memory_order_relaxed) != SW_PCAP_LOSING)
		return true;           /* recovering: appends go through */
	/* One thread per interval gets to try; the others drop their batch. */
	if (now >= at && atomic_compare_exchange_strong(&sw_pcap_retry_at, &at,
							now + SW_PCAP_RETRY_NS))
		return true;
	sw_count_lost(records, bytes);
	return false;
}

/* Enters the losing state; the first failure of an episode says so. */
static void sw_start_losing(const char *what, int err)
{
	uint64_t now = sw_now_ns();

	atomic_store(&sw_pcap_retry_at, now + SW_PCAP_RETRY_NS);
	atomic_store(&sw_pcap_failed_at, now);
	atomic_store(&sw_pcap_losing, SW_PCAP_LOSING);
	if (atomic_exchange(&sw_pcap_announced, true))
		return;
	cw_log(CW_ERROR, "SOCKET_WRAPPER_PCAP_FILE=\"%s\": %s: %s; records are dropped "
	       "until it can be written again (retried every %llu ms; the program's "
	       "traffic is unaffected)", sw_pcap_file_path(), what, strerror(err),
	       SW_PCAP_RETRY_NS / 1000000);
}

/* The end of an episode, told with what it cost. */
static void sw_tell_end(const char *how)
{
	uint64_t records, bytes;

	if (!atomic_exchange(&sw_pcap_announced, false))
		return;
	records = atomic_exchange(&sw_lost_records, 0);
	bytes = atomic_exchange(&sw_lost_bytes, 0);
	/* Shown at every level, as the error it ends was. */
	cw_log(CW_WARN, "SOCKET_WRAPPER_PCAP_FILE=\"%s\": %s; %" PRIu64 " records (%" PRIu64
	       " bytes) were lost", sw_pcap_file_path(), how, records, bytes);
}

void sw_pcap_resumed(void)
{
	int state = SW_PCAP_LOSING;
	uint64_t now = sw_now_ns();

	if (atomic_compare_exchange_strong(&sw_pcap_losing, &state, SW_PCAP_RECOVERING))
		return;        /* the first append that works: wait and see */
	if (state != SW_PCAP_RECOVERING ||
	    now - atomic_load(&sw_pcap_failed_at) < SW_PCAP_STABLE_NS ||
	    !atomic_compare_exchange_strong(&sw_pcap_losing, &state, SW_PCAP_NORMAL))
		return;
	sw_tell_end("appending again");
}

/* A child starts its own account: the parent tells its own loss. */
static void sw_pcap_loss_forked(void)
{
	atomic_store(&sw_pcap_announced, false);
	atomic_store(&sw_lost_records, 0);
	atomic_store(&sw_lost_bytes, 0);
}

__attribute__((constructor)) static void sw_pcap_loss_init(void)
{
	pthread_atfork(NULL, NULL, sw_pcap_loss_forked);
}

/* A process that ends during an episode still says what was lost. */
__attribute__((destructor)) static void sw_pcap_loss_at_exit(void)
{
	if (atomic_load(&sw_pcap_losing) == SW_PCAP_RECOVERING)
		sw_tell_end("appending again");
	else
		sw_tell_end("exiting while records are dropped");
}

/* Shortages pass (space, quota, descriptors, memory); a path that cannot
 * be written or is not a capture does not. */
bool sw_pcap_open_error_passes(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EMFILE || err == ENFILE ||
	       err == ENOMEM || err == EIO || err == EINTR;
}

void sw_pcap_open_failed(const char *what, int err)
{
	sw_start_losing(what, err);
}

void sw_pcap_dropped(size_t records, size_t bytes)
{
	if (atomic_load_explicit(&sw_pcap_losing, memory_order_relaxed) != SW_PCAP_NORMAL)
		sw_count_lost(records, bytes);
}

/* --- taking back a write cut short ------------------------------------ */

/* Copies batch bytes [off, off + len) out of the iovecs. */
static void sw_iov_copy(const struct iovec *iov, int cnt, size_t off, uint8_t *dst, size_t len)
{
	for (int i = 0; i < cnt && len > 0; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t c = l - off < len ? l - off : len;

		memcpy(dst, (const uint8_t *)iov[i].iov_base + off, c);
		dst += c;
		len -= c;
		off = 0;
	}
}

/* Are the n bytes of the file before `end` the first n of the batch? */
static bool sw_file_has_prefix(int fd, off_t end, const struct iovec *iov, int cnt, size_t n)
{
	uint8_t have[4096], want[4096];

	if (end < (off_t)n)
		return false;
	for (size_t off = 0; off < n;) {
		size_t c = n - off < sizeof(have) ? n - off : sizeof(have);

		if (pread(fd, have, c, end - (off_t)n + (off_t)off) != (ssize_t)c)
			return false;
		sw_iov_copy(iov, cnt, off, want, c);
		if (memcmp(have, want, c) != 0)
			return false;
		off += c;
	}
	return true;
}

static uint32_t sw_u32_at(const struct iovec *iov, int cnt, size_t off)
{
	uint32_t v;

	sw_iov_copy(iov, cnt, off, (uint8_t *)&v, 4);
	return v;
}

/* Records were appended after our torn one: the torn record is made a
 * whole one instead, in place.  pcap allows a record to hold less than
 * the packet (captured length < original length), so its captured length
 * becomes what was written; if even its 16-byte header is cut, the
 * previous record of the batch swallows the piece (trailing bytes after an
 * IP packet are ignored by readers).  Returns whole records kept, or -1. */
static long sw_mend(int fd, off_t start, const struct iovec *iov, int cnt, size_t n)
{
	size_t at = 0, prev = SIZE_MAX;
	long whole = 0;
	uint32_t len[2];

	for (;;) {
		size_t next = at + SW_PCAP_REC + sw_u32_at(iov, cnt, at + 8);

		if (at + SW_PCAP_REC > n || next > n)
			break;
		prev = at;
		at = next;
		whole++;
	}
	if (at == n)
		return whole;          /* cut between records: nothing torn */
	if (n - at >= SW_PCAP_REC) {
		len[0] = (uint32_t)(n - at - SW_PCAP_REC);
		return pwrite(fd, len, 4, start + (off_t)at + 8) == 4 ? whole : -1;
	}
	if (prev == SIZE_MAX)
		return -1;
	len[0] = sw_u32_at(iov, cnt, prev + 8) + (uint32_t)(n - at);
	len[1] = sw_u32_at(iov, cnt, prev + 12) + (uint32_t)(n - at);
	return pwrite(fd, len, 8, start + (off_t)prev + 8) == 8 ? whole - 1 : -1;
}

/*
 * The first n bytes of the batch went into the file, ending in a torn
 * record.  Appends take no lock (that is what keeps them fast), so this
 * works on a descriptor of its own (not O_APPEND: pwrite must write where
 * asked), under an flock that other repairs take too:
 * - usually nothing came after (the disk is full for every writer): the
 *   piece is the file's tail and is cut off (ftruncate);
 * - else (space came back in between and others appended) the piece is
 *   found where our write ended (`end`: O_APPEND leaves the descriptor's
 *   offset there, read at once after the write) and mended in place
 *   (sw_mend).
 * Returns the whole records kept, or -1 if the file keeps a torn record.
 */
static long sw_pcap_take_back(int fd, off_t end, const struct iovec *iov, int cnt, size_t n)
{
	struct stat ours, st;
	long kept = -1;
	int rfd;

	if (sw_is_restricted() || fstat(fd, &ours) != 0)
		return -1;      /* under seccomp: no open, flock or ftruncate */
	rfd = open(sw_pcap_file_path(), O_RDWR | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	if (fstat(rfd, &st) == 0 && st.st_dev == ours.st_dev && st.st_ino == ours.st_ino &&
	    flock(rfd, LOCK_EX) == 0) {
		if (fstat(rfd, &st) == 0 && sw_file_has_prefix(rfd, st.st_size, iov, cnt, n))
			kept = ftruncate(rfd, st.st_size - (off_t)n) == 0 ? 0 : -1;
		else if (end >= 0 && sw_file_has_prefix(rfd, end, iov, cnt, n))
			kept = sw_mend(rfd, end - (off_t)n, iov, cnt, n);
		flock(rfd, LOCK_UN);
	}
	close(rfd);
	return kept;
}

static size_t sw_batch_bytes(const struct iovec *iov, int cnt, long records)
{
	size_t at = 0;

	for (long i = 0; i < records; i++)
		at += SW_PCAP_REC + sw_u32_at(iov, cnt, at + 8);
	return at;
}

void sw_pcap_append_failed(int fd, const struct iovec *iov, int cnt, size_t len,
			   size_t records, ssize_t n, int err)
{
	long kept = 0;

	if (n > 0) {
		/* Before anything else: our other threads move the same offset. */
		off_t end = sw_is_restricted() ? -1 : lseek(fd, 0, SEEK_CUR);

		kept = sw_pcap_take_back(fd, end, iov, cnt, (size_t)n);
		if (kept < 0) {
			cw_log(CW_ERROR, "SOCKET_WRAPPER_PCAP_FILE=\"%s\": a write cut short "
			       "could not be taken back; the file keeps a torn record",
			       sw_pcap_file_path());
			kept = 0;
		}
	}
	sw_count_lost(records - (size_t)kept, len - sw_batch_bytes(iov, cnt, kept));
	sw_start_losing("cannot append to it", n < 0 ? err : ENOSPC);
}
