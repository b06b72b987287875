/*
 * group(5): the line parser (nw_parse_group_head, then the member list
 * with nw_list_next) on the input's first line, and the input as a whole
 * NSS_WRAPPER_GROUP file loaded and searched by the shim.
 *
 * Properties: fields and members lie in the line, members are non-empty
 * and hold no ','; when the first line is an entry (not +/-), getgrnam_r
 * finds it (first line wins) with the same gid and members, and
 * getgrgid_r finds a group with that gid; getgrent returns no more
 * entries than the file has lines.
 */
#include <grp.h>

#include "nss_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = nf_first_line(data, size), *p = nw_content(line), *m;
	struct group gr, got, *res;
	bool parsed = false;
	size_t buflen = 4 * size + 1024, lines = 1, n = 0, members = 0;
	char *buf = malloc(buflen);

	if (p != NULL && nw_parse_group_head(&p, &gr)) {
		nf_inside(gr.gr_name, line, size);
		nf_inside(gr.gr_passwd, line, size);
		if (strchr(gr.gr_name, ':') || strchr(gr.gr_passwd, ':'))
			abort();
		while ((m = nw_list_next(&p, ',')) != NULL) {
			nf_inside(m, line, size);
			if (*m == '\0' || strchr(m, ','))
				abort();
			members++;
		}
		parsed = gr.gr_name[0] != '\0' && gr.gr_name[0] != '+' && gr.gr_name[0] != '-';
	}

	nf_write_file("NSS_WRAPPER_GROUP", data, size);
	if (parsed) {
		size_t k = 0;

		res = NULL;
		if (getgrnam_r(gr.gr_name, &got, buf, buflen, &res) != 0 || res == NULL ||
		    got.gr_gid != gr.gr_gid)
			abort();
		while (got.gr_mem[k] != NULL)
			k++;
		if (k != members)
			abort();
		res = NULL;
		if (getgrgid_r(gr.gr_gid, &got, buf, buflen, &res) != 0 || res == NULL ||
		    got.gr_gid != gr.gr_gid)
			abort();
	}
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	setgrent();
	while (getgrent_r(&got, buf, buflen, &res) == 0)
		if (++n > lines)
			abort();
	endgrent();
	free(buf);
	free(line);
	return 0;
}
