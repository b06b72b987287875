/*
 * The /proc/net/unix reader (sw_unix_lists_path): is a socket bound to a
 * given path?  Any bytes, delivered in chunks of any size.
 *
 * Input: one byte choosing the chunking, then the listing.  Properties: no
 * crash or sanitizer report, and no false "free": when a line shorter than
 * 4096 bytes ends with " <path>", the reader says live (a wrong "live"
 * only refuses a bind; a wrong "free" would steal a live address).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "bindfile.h"

struct feed {
	const uint8_t *data;
	size_t size, off;
	unsigned seed;
};

static ssize_t feed_read(void *ctx, char *buf, size_t len)
{
	struct feed *f = ctx;
	size_t left = f->size - f->off, n;

	if (left == 0)
		return 0;
	f->seed = f->seed * 1103515245u + 12345u;
	n = 1 + (f->seed >> 8) % 5000;
	if (n > len)
		n = len;
	if (n > left)
		n = left;
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static const char path[] = "/tmp/cwrap-net/T0A0007";

static int reference(const uint8_t *data, size_t size)
{
	size_t plen = strlen(path), start = 0;

	for (size_t i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		size_t len = i - start;

		if (len < 4096 && len > plen && data[i - plen - 1] == ' ' &&
		    memcmp(data + i - plen, path, plen) == 0)
			return 1;
		start = i + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed f;

	if (size < 1)
		return 0;
	f = (struct feed){ data + 1, size - 1, 0, data[0] };
	bool live = sw_unix_lists_path(feed_read, &f, path);

	if (!live && reference(data + 1, size - 1))
		abort();
	return 0;
}
