/*
 * The common environment parsers: cw_parse_ulong against a reference
 * (strtoul-free, digit by digit in 128 bits), cw_log_parse_level, and
 * cw_env_switch / cw_env_ulong on any value.
 *
 * Input: 8 bytes of min, 8 of max, then the text.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "env.h"
#include "log.h"

/* Bad values log one line each: stderr goes to /dev/null around the
 * calls that may log (libFuzzer reports on the real one). */
static int null_fd = -1, saved_fd = -1;

static void quiet(bool on)
{
	if (null_fd < 0) {
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		saved_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
	}
	dup2(on ? null_fd : saved_fd, STDERR_FILENO);
}

static int ref_ulong(const char *t, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned __int128 v = 0;

	if (*t == '\0')
		return 0;
	for (; *t; t++) {
		if (*t < '0' || *t > '9')
			return 0;
		v = v * 10 + (unsigned)(*t - '0');
		if (v > max)
			return 0;
	}
	if (v < min)
		return 0;
	*out = (unsigned long)v;
	return 1;
}

static int ref_level(const char *t)
{
	static const char *const names[] = { "error", "warn", "debug", "trace" };

	unsigned long n;

	if (ref_ulong(t, 0, 3, &n))          /* "3", "003": a number 0-3 */
		return (int)n;
	for (int i = 0; i < 4; i++)
		if (strcasecmp(t, names[i]) == 0)
			return i;
	return strcasecmp(t, "warning") == 0 ? CW_WARN : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long min = 0, max = 0, got = 12345, want = 12345;
	char *text;

	if (size < 16)
		return 0;
	memcpy(&min, data, 8);
	memcpy(&max, data + 8, 8);
	text = malloc(size - 16 + 1);
	memcpy(text, data + 16, size - 16);
	text[size - 16] = '\0';

	int ok = cw_parse_ulong(text, min, max, &got);
	int ref = ref_ulong(text, min, max, &want);

	if (ok != ref || got != want)
		abort();                     /* disagrees with the reference */
	if (cw_log_parse_level(text) != ref_level(text))
		abort();

	/* The env readers on the same value (a text with a NUL is cut there,
	 * as an environment entry would be). */
	setenv("CWFUZZ_VALUE", text, 1);
	quiet(true);
	bool on = cw_env_switch("CWFUZZ_VALUE");
	if (on != (strcmp(text, "1") == 0))
		abort();
	got = want = 7;
	enum cw_env_result r = cw_env_ulong("CWFUZZ_VALUE", min, max, &got);
	quiet(false);
	if (text[0] == '\0' ? r != CW_ENV_UNSET || got != 7
			    : (r == CW_ENV_OK) != (ref_ulong(text, min, max, &want) == 1) ||
			      (r != CW_ENV_OK && got != 7))
		abort();
	free(text);
	return 0;
}
