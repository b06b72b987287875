/*
 * The UID shim's environment parsers: UID_WRAPPER_HANDOFF values and
 * UID_WRAPPER_INITIAL_GROUPS lists.
 *
 * Properties beyond "no crash, no sanitizer report": an accepted hand-off
 * has a checksum that matches, at most NGROUPS_MAX groups and ids below
 * 2^32-1; an accepted group list has no empty item; both are accepted the
 * same however the caller's room is sized.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uw.h"

static gid_t groups[NGROUPS_MAX];
static gid_t groups2[NGROUPS_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uw_ids ids;
	unsigned int real_uid;
	int n = -1, m = -1;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';

	if (uw_handoff_parse_text(text, &ids, &n, groups, &real_uid)) {
		const char *last = strrchr(text, ':');

		if (n < 0 || n > NGROUPS_MAX || last == NULL)
			abort();
		if (strtoul(last + 1, NULL, 16) != uw_fnv1a(text, (size_t)(last + 1 - text)))
			abort();
		for (int i = 0; i < 4; i++)
			if (ids.uid[i] == (uid_t)-1 || ids.gid[i] == (gid_t)-1)
				abort();
	}

	bool ok = uw_parse_groups(text, &n, groups, NGROUPS_MAX);
	bool ok1 = uw_parse_groups(text, &m, groups2, 1);   /* validation only */

	if (ok != ok1 || (ok && n != m))
		abort();
	size_t len = strlen(text);

	if (ok && (strstr(text, ",,") || text[0] == ',' ||
		   (len && text[len - 1] == ',')))
		abort();
	if (ok && n > 0 && groups[0] != groups2[0])
		abort();
	free(text);
	return 0;
}
