/*
 * Between pcap_file.c (the file and its appends) and pcap_loss.c (what
 * happens when an append fails): the losing state and its transitions.
 */
#ifndef SW_PCAP_LOSS_H
#define SW_PCAP_LOSS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Not SW_PCAP_NORMAL while this process drops records or has just
 * stopped; the append path tests it first (one load: the only cost to the
 * normal path). */
enum { SW_PCAP_NORMAL, SW_PCAP_LOSING, SW_PCAP_RECOVERING };
extern _Atomic int sw_pcap_losing;

/* The capture's path, for messages and for the repair descriptor. */
const char *sw_pcap_file_path(void);

/* While losing: may this batch try to append (the retry interval has
 * passed, and no other thread is trying)?  If not, it counts as lost. */
bool sw_pcap_may_retry(size_t records, size_t bytes);

/* The file could not be opened or created for a reason that may pass
 * (ENOSPC, EDQUOT...): the batch is lost, appends are retried. */
bool sw_pcap_open_error_passes(int err);
void sw_pcap_open_failed(const char *what, int err);

/* A batch had nowhere to go (no descriptor): counted as lost. */
void sw_pcap_dropped(size_t records, size_t bytes);

/* An append of `len` bytes wrote `n` (-1: nothing, with err): what was
 * written is taken back, the batch counted as lost, the loss logged when
 * it starts. */
void sw_pcap_append_failed(int fd, const struct iovec *iov, int cnt, size_t len,
			   size_t records, ssize_t n, int err);

/* A whole batch was appended while not NORMAL: after SW_PCAP_STABLE_NS
 * without a failure, says so once, with the loss. */
void sw_pcap_resumed(void);

#endif
