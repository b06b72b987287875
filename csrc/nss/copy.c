/*
 * Copying a record into a caller's record and buffer (the _r functions):
 * the strings, and the arrays of pointers, go into the buffer.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

struct nw_out {
	char *p, *end;
	bool overflow;
};

static char *nw_put_str(struct nw_out *o, const char *s)
{
	size_t n = strlen(s) + 1;

	if (o->overflow || (size_t)(o->end - o->p) < n) {
		o->overflow = true;
		return NULL;
	}
	char *d = memcpy(o->p, s, n);

	o->p += n;
	return d;
}

static char **nw_put_ptrs(struct nw_out *o, size_t count)
{
	uintptr_t at = ((uintptr_t)o->p + alignof(char *) - 1) & ~(uintptr_t)(alignof(char *) - 1);

	if (o->overflow || at > (uintptr_t)o->end ||
	    ((uintptr_t)o->end - at) / sizeof(char *) < count) {
		o->overflow = true;
		return NULL;
	}
	o->p = (char *)(at + count * sizeof(char *));
	return (char **)at;
}

int nw_copy_passwd(const void *from, void *to, char *buf, size_t len)
{
	const struct passwd *src = from;
	struct nw_out o = { buf, buf + len, false };
	struct passwd r = *src, *dst = to;

	r.pw_name = nw_put_str(&o, src->pw_name);
	r.pw_passwd = nw_put_str(&o, src->pw_passwd);
	r.pw_gecos = nw_put_str(&o, src->pw_gecos);
	r.pw_dir = nw_put_str(&o, src->pw_dir);
	r.pw_shell = nw_put_str(&o, src->pw_shell);
	if (o.overflow)
		return ERANGE;
	*dst = r;
	return 0;
}

int nw_copy_group(const void *from, void *to, char *buf, size_t len)
{
	const struct group *src = from;
	struct nw_out o = { buf, buf + len, false };
	struct group r = *src, *dst = to;
	size_t n = 0;

	while (src->gr_mem[n] != NULL)
		n++;
	r.gr_mem = nw_put_ptrs(&o, n + 1);
	r.gr_name = nw_put_str(&o, src->gr_name);
	r.gr_passwd = nw_put_str(&o, src->gr_passwd);
	for (size_t i = 0; i < n && !o.overflow; i++)
		r.gr_mem[i] = nw_put_str(&o, src->gr_mem[i]);
	if (o.overflow)
		return ERANGE;
	r.gr_mem[n] = NULL;
	*dst = r;
	return 0;
}

int nw_copy_spwd(const void *from, void *to, char *buf, size_t len)
{
	const struct spwd *src = from;
	struct nw_out o = { buf, buf + len, false };
	struct spwd r = *src, *dst = to;

	r.sp_namp = nw_put_str(&o, src->sp_namp);
	r.sp_pwdp = nw_put_str(&o, src->sp_pwdp);
	if (o.overflow)
		return ERANGE;
	*dst = r;
	return 0;
}
