/*
 * shadow(5): the line parser (nw_parse_shadow) on the input's first line,
 * and the input as a whole NSS_WRAPPER_SHADOW file loaded and searched
 * by the shim.
 *
 * Properties: name and password lie in the line without ':'; a number
 * field is -1 (empty) or fits an int; when the first line is an entry
 * (not +/-), getspnam_r finds it with the same numbers; getspent returns
 * no more entries than the file has lines.
 */
#include <limits.h>
#include <shadow.h>

#include "nss_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = nf_first_line(data, size), *content = nw_content(line);
	struct spwd sp, got, *res;
	bool parsed = false;
	size_t buflen = 2 * size + 1024, lines = 1, n = 0;
	char *buf = malloc(buflen);

	if (content != NULL && nw_parse_shadow(content, &sp)) {
		const long nums[] = { sp.sp_lstchg, sp.sp_min, sp.sp_max, sp.sp_warn,
				      sp.sp_inact, sp.sp_expire };

		nf_inside(sp.sp_namp, line, size);
		nf_inside(sp.sp_pwdp, line, size);
		if (strchr(sp.sp_namp, ':') || strchr(sp.sp_pwdp, ':'))
			abort();
		for (size_t i = 0; i < 6; i++)
			if (nums[i] < INT_MIN || nums[i] > INT_MAX)
				abort();
		parsed = sp.sp_namp[0] != '\0' && sp.sp_namp[0] != '+' && sp.sp_namp[0] != '-';
	}

	nf_write_file("NSS_WRAPPER_SHADOW", data, size);
	if (parsed) {
		res = NULL;
		if (getspnam_r(sp.sp_namp, &got, buf, buflen, &res) != 0 || res == NULL ||
		    got.sp_lstchg != sp.sp_lstchg || got.sp_max != sp.sp_max ||
		    got.sp_expire != sp.sp_expire || got.sp_flag != sp.sp_flag ||
		    strcmp(got.sp_pwdp, sp.sp_pwdp) != 0)
			abort();
	}
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	setspent();
	while (getspent_r(&got, buf, buflen, &res) == 0)
		if (++n > lines)
			abort();
	endspent();
	free(buf);
	free(line);
	return 0;
}
