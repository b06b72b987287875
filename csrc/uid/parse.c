/*
 * The UID shim's parsers of what it reads from the environment: pure
 * functions (no logging, no state, no libc call but string ones), so the
 * fuzzing harnesses in fuzz/ can call them on their own.
 */
#include <stdbool.h>
#include <string.h>

#include "env.h"
#include "uw.h"

unsigned int uw_fnv1a(const char *p, size_t n)
{
	unsigned int h = 2166136261u;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return h;
}

static bool take_num(const char **pp, unsigned int *out)
{
	unsigned long v = 0;
	const char *p = *pp;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 4294967294UL)
			return false;
	}
	*pp = p;
	*out = (unsigned int)v;
	return true;
}

bool uw_handoff_parse_text(const char *text, struct uw_ids *ids, int *ngroups,
		  gid_t *groups, unsigned int *real_uid)
{
	const char *p = text;
	unsigned int sum = 0;

	if (!take_num(&p, real_uid))
		return false;
	for (int i = 0; i < 8; i++) {
		if (*p++ != (i == 0 || i == 4 ? ':' : ','))
			return false;
		if (!take_num(&p, i < 4 ? &ids->uid[i] : &ids->gid[i - 4]))
			return false;
	}
	if (*p++ != ':')
		return false;
	*ngroups = 0;
	while (*p != ':') {
		if (*ngroups && *p++ != ',')
			return false;
		if (*ngroups >= NGROUPS_MAX || !take_num(&p, &groups[*ngroups]))
			return false;
		(*ngroups)++;
	}
	p++;
	size_t payload = (size_t)(p - text);

	for (int i = 0; i < 8; i++, p++) {
		int d = (*p >= '0' && *p <= '9') ? *p - '0' :
			(*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 : -1;

		if (d < 0)
			return false;
		sum = sum << 4 | (unsigned int)d;
	}
	while (*p == ' ')
		p++;
	return *p == '\0' && sum == uw_fnv1a(text, payload);
}

/* "g1,g2,..." in decimal; false if it is not exactly that.  Stores at
 * most `room` of them in out[] (the count covers them all). */
bool uw_parse_groups(const char *text, int *n, gid_t *out, int room)
{
	char item[16];

	*n = 0;
	while (*text) {
		size_t len = strcspn(text, ",");
		unsigned long id;

		if (len == 0 || len >= sizeof(item) || *n >= NGROUPS_MAX)
			return false;
		memcpy(item, text, len);
		item[len] = '\0';
		if (!cw_parse_ulong(item, 0, 4294967294UL, &id))
			return false;
		if (*n < room)
			out[*n] = (gid_t)id;
		(*n)++;
		text += len;
		if (*text == ',' && *++text == '\0')
			return false;     /* a trailing comma */
	}
	return true;
}

