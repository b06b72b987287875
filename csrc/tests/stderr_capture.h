/* Runs a function with stderr redirected into a buffer. */
#ifndef CW_STDERR_CAPTURE_H
#define CW_STDERR_CAPTURE_H

#include <unistd.h>

static inline void capture_stderr(void (*fn)(void), char *out, size_t size)
{
	int fds[2], saved = dup(2);
	ssize_t n;

	if (pipe(fds) != 0) {
		out[0] = '\0';
		return;
	}
	dup2(fds[1], 2);
	close(fds[1]);
	fn();
	dup2(saved, 2);
	close(saved);
	n = read(fds[0], out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
}

#endif
