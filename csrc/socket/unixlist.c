/*
 * Reading /proc/net/unix: is a socket bound to this path?  A pure
 * function over a reader callback, so the fuzzing harness (fuzz/) can feed
 * it any bytes in any chunks.
 */
#include <string.h>

#include "bindfile.h"

bool sw_unix_lists_path(sw_reader_fn reader, void *ctx, const char *path)
{
	char buf[8192];
	size_t path_len = strlen(path), have = 0;
	bool live = false;
	ssize_t n;

	while (!live && (n = reader(ctx, buf + have, sizeof(buf) - have - 1)) > 0) {
		char *line = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = memchr(line, '\n', (size_t)(buf + have - line))) != NULL) {
			*nl = '\0';
			if ((size_t)(nl - line) > path_len && nl[-(long)path_len - 1] == ' ' &&
			    memcmp(nl - path_len, path, path_len) == 0) {
				live = true;
				break;
			}
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;       /* a line longer than any path: skip it */
	}
	return live;
}
