/*
 * passwd(5): the line parser (nw_parse_passwd) on the input's first line,
 * and the input as a whole NSS_WRAPPER_PASSWD file (garbage, NUL bytes,
 * CRLF, long lines) loaded and searched by the shim.
 *
 * Properties: every field of a parsed entry lies in the line and the
 * first four hold no ':'; when the first line is an entry (not +/-),
 * getpwnam_r finds it (first line wins) and getpwuid_r finds an entry
 * with its uid; getpwent returns no more entries than the file has lines.
 */
#include <pwd.h>

#include "nss_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = nf_first_line(data, size), *content = nw_content(line);
	struct passwd pw, got, *res;
	bool parsed = false;
	size_t buflen = 2 * size + 1024, lines = 1, n = 0;
	char *buf = malloc(buflen);

	if (content != NULL && nw_parse_passwd(content, &pw)) {
		const char *fields[] = { pw.pw_name, pw.pw_passwd, pw.pw_gecos, pw.pw_dir };

		for (size_t i = 0; i < 4; i++) {
			nf_inside(fields[i], line, size);
			if (strchr(fields[i], ':'))
				abort();
		}
		nf_inside(pw.pw_shell, line, size);
		parsed = pw.pw_name[0] != '\0' && pw.pw_name[0] != '+' && pw.pw_name[0] != '-';
	}

	nf_write_file("NSS_WRAPPER_PASSWD", data, size);
	if (parsed) {
		res = NULL;
		if (getpwnam_r(pw.pw_name, &got, buf, buflen, &res) != 0 || res == NULL ||
		    got.pw_uid != pw.pw_uid || got.pw_gid != pw.pw_gid ||
		    strcmp(got.pw_shell, pw.pw_shell) != 0)
			abort();
		res = NULL;
		if (getpwuid_r(pw.pw_uid, &got, buf, buflen, &res) != 0 || res == NULL ||
		    got.pw_uid != pw.pw_uid)
			abort();
	}
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	setpwent();
	while (getpwent_r(&got, buf, buflen, &res) == 0)
		if (++n > lines)
			abort();
	endpwent();
	free(buf);
	free(line);
	return 0;
}
