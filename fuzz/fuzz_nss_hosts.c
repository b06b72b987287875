/*
 * hosts(5): the line parser (nw_ho_parse, static, so hosts.c is included
 * here rather than linked) on the input's first line, and the input as a
 * whole NSS_WRAPPER_HOSTS file loaded and searched by the shim.
 *
 * Properties: a parsed line has a name inside the line without blanks;
 * when the first line holds an address and a name, nw_hosts_lookup of
 * that name finds the line's address first (first line wins), and
 * gethostbyaddr_r of that address answers; gethostent returns no more
 * entries than the file has lines.
 */
#include "../csrc/nss/hosts.c"

#include "nss_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = nf_first_line(data, size), *content, *hash;
	struct nw_hline h;
	struct hostent he, *res;
	struct nw_host_answer ans;
	bool parsed = false;
	size_t buflen = 4 * size + 1024, lines = 1, n = 0;
	char *buf = malloc(buflen);
	int herr;

	hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	content = nw_content(line);
	if (content != NULL && nw_ho_parse(content, &h)) {
		nf_inside(h.name, line, size);
		for (const char *c = h.name; *c; c++)
			if (isspace((unsigned char)*c))
				abort();
		parsed = h.name[0] != '\0';
	}

	nf_write_file("NSS_WRAPPER_HOSTS", data, size);
	if (parsed) {
		int af = h.v6 ? AF_INET6 : AF_INET;

		if (nw_hosts_lookup(h.name, AF_UNSPEC, &ans) != 1 || ans.count == 0 ||
		    ans.addrs[0].family != af ||
		    memcmp(ans.addrs[0].addr, h.addr, af == AF_INET ? 4 : 16) != 0)
			abort();
		nw_host_answer_free(&ans);
		res = NULL;
		if (gethostbyaddr_r(h.addr, af == AF_INET ? 4 : 16, af, &he, buf, buflen,
				    &res, &herr) != 0 || res == NULL)
			abort();
	}
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	sethostent(0);
	while (gethostent_r(&he, buf, buflen, &res, &herr) == 0 && res != NULL)
		if (++n > lines)
			abort();
	endhostent();
	free(buf);
	free(line);
	return 0;
}
