/*
 * Shared part of the NSS harnesses (fuzz_nss_*.c): the whole NSS shim is
 * linked in, so a harness can both call a line parser as a pure function
 * and load the input as a whole database file through the shim's own
 * loader (nw_table_get: read, split, parse, index) and look names up in
 * it with the shim's exported functions.
 *
 * The input is written to one of two files in turn (the path changes at
 * every run, so the shim always reloads: timestamps alone may not change
 * within a clock tick) named by the shim's variable.  Warnings about bad
 * lines go to stderr; NSS_WRAPPER_DEBUGLEVEL=0 keeps them out of the way.
 */
#ifndef NSS_FUZZ_H
#define NSS_FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nw.h"

static char nf_dir[64];

/* Removes the files at exit (libFuzzer exits normally after its time). */
static void nf_cleanup(void)
{
	static const char *const names[] = { "empty", "PASSWD.0", "PASSWD.1", "GROUP.0",
					     "GROUP.1", "SHADOW.0", "SHADOW.1", "HOSTS.0",
					     "HOSTS.1" };
	char path[96];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", nf_dir, names[i]);
		unlink(path);
	}
	rmdir(nf_dir);
}

static void nf_setup(void)
{
	if (nf_dir[0] != '\0')
		return;
	snprintf(nf_dir, sizeof(nf_dir), "/tmp/cwfuzz-nss-%ld", (long)getpid());
	mkdir(nf_dir, 0700);
	atexit(nf_cleanup);
	setenv("NSS_WRAPPER_DEBUGLEVEL", "0", 1);
	/* Users and groups are answered only when both files are named. */
	static const char *const vars[] = { "NSS_WRAPPER_PASSWD", "NSS_WRAPPER_GROUP",
					     "NSS_WRAPPER_SHADOW", "NSS_WRAPPER_HOSTS" };
	for (size_t i = 0; i < 4; i++) {
		char path[96];

		snprintf(path, sizeof(path), "%s/empty", nf_dir);
		close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		setenv(vars[i], path, 1);
	}
}

/* Writes the input as the file of `var`; a fresh path each time. */
static void nf_write_file(const char *var, const uint8_t *data, size_t size)
{
	static unsigned turn;
	char path[96];
	int fd;

	nf_setup();
	snprintf(path, sizeof(path), "%s/%s.%u", nf_dir, var + 12, turn++ & 1);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	close(fd);
	setenv(var, path, 1);
}

/* The input as a C string: a copy cut at its first newline. */
static char *nf_first_line(const uint8_t *data, size_t size)
{
	/* Padded with NULs as the shim pads a file's text (nw_token_end). */
	char *line = calloc(1, size + 1 + NW_TEXT_PAD), *nl;

	if (line == NULL)
		abort();
	memcpy(line, data, size);
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	return line;
}

/* A field the parser returned lies inside the line's buffer. */
static void nf_inside(const char *field, const char *line, size_t size)
{
	if (field == NULL || field < line || field > line + size ||
	    field + strlen(field) > line + size)
		abort();
}

#endif
