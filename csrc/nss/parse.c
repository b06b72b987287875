/*
 * Line parsers for passwd(5), group(5) and shadow(5), with the rules of
 * glibc's files module: leading blanks and blank or '#' lines are skipped;
 * a missing string field is empty; a number field must be a number
 * (strtoul, base 10) ended by ':' or the end of the line; the last field
 * of passwd is the rest of the line.  "+name"/"-name" lines (nss_compat)
 * parse with empty fields but never answer a lookup.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

char *nw_content(char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (*line == '\0' || *line == '#')
		return NULL;
	return line;
}

static bool nw_compat(const char *name)
{
	return name[0] == '+' || name[0] == '-';
}

/* A number that may be empty (then `dflt`); compat lines allow it. */
static bool nw_maybe_number(char **p, unsigned long dflt, unsigned long *out)
{
	bool empty;

	if (**p == '\0')
		return false;
	if (nw_number_field(p, ':', out, &empty))
		return true;
	if (!empty)
		return false;
	*out = dflt;
	if (**p == ':')
		(*p)++;
	else if (**p != '\0')
		return false;
	return true;
}

bool nw_parse_passwd(char *line, struct passwd *pw)
{
	char *p = line;
	unsigned long n;
	bool empty;

	memset(pw, 0, sizeof(*pw));
	pw->pw_name = nw_string_field(&p, ':');
	if (*p == '\0' && nw_compat(pw->pw_name)) {
		pw->pw_passwd = pw->pw_gecos = pw->pw_dir = pw->pw_shell = p;
		return true;
	}
	pw->pw_passwd = nw_string_field(&p, ':');
	if (nw_compat(pw->pw_name)) {
		if (!nw_maybe_number(&p, 0, &n))
			return false;
		pw->pw_uid = (uid_t)n;
		if (!nw_maybe_number(&p, 0, &n))
			return false;
		pw->pw_gid = (gid_t)n;
	} else {
		if (!nw_number_field(&p, ':', &n, &empty))
			return false;
		pw->pw_uid = (uid_t)n;
		if (!nw_number_field(&p, ':', &n, &empty))
			return false;
		pw->pw_gid = (gid_t)n;
	}
	pw->pw_gecos = nw_string_field(&p, ':');
	pw->pw_dir = nw_string_field(&p, ':');
	pw->pw_shell = p;
	return true;
}

bool nw_parse_group_head(char **pp, struct group *gr)
{
	char *p = *pp;
	unsigned long n;
	bool empty;

	memset(gr, 0, sizeof(*gr));
	gr->gr_name = nw_string_field(&p, ':');
	if (*p == '\0' && nw_compat(gr->gr_name)) {
		gr->gr_passwd = p;
		*pp = p;
		return true;
	}
	gr->gr_passwd = nw_string_field(&p, ':');
	if (nw_compat(gr->gr_name)) {
		if (!nw_maybe_number(&p, 0, &n))
			return false;
	} else if (!nw_number_field(&p, ':', &n, &empty)) {
		return false;
	}
	gr->gr_gid = (gid_t)n;
	*pp = p;
	return true;
}

/*
 * The next element of a list separated by `sep` (group members, host
 * aliases): leading blanks skipped, NULL at the end.  Padded lines only
 * (see nw_token_end).
 */
char *nw_list_next(char **pp, char sep)
{
	char *p = *pp, *start;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0') {
			*pp = p;
			return NULL;
		}
		start = p;
		p = sep != ' ' ? nw_field_end(p, sep) : nw_token_end(p);
		if (*p != '\0')
			*p++ = '\0';
		*pp = p;
		if (*start != '\0')
			return start;   /* empty elements are dropped */
	}
}

static bool nw_sp_number(char **p, long *out)
{
	unsigned long n;

	if (!nw_maybe_number(p, (unsigned long)-1, &n))
		return false;
	*out = n == (unsigned long)-1 ? -1 : (long)(int)n;
	return true;
}

bool nw_parse_shadow(char *line, struct spwd *sp)
{
	char *p = line;

	memset(sp, 0, sizeof(*sp));
	sp->sp_namp = nw_string_field(&p, ':');
	if (*p == '\0' && nw_compat(sp->sp_namp)) {
		sp->sp_pwdp = p;
		sp->sp_lstchg = sp->sp_min = sp->sp_max = sp->sp_warn =
			sp->sp_inact = sp->sp_expire = -1;
		sp->sp_flag = ~0ul;
		return true;
	}
	sp->sp_pwdp = nw_string_field(&p, ':');
	if (!nw_sp_number(&p, &sp->sp_lstchg) || !nw_sp_number(&p, &sp->sp_min) ||
	    !nw_sp_number(&p, &sp->sp_max))
		return false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		sp->sp_warn = sp->sp_inact = sp->sp_expire = -1;
		sp->sp_flag = ~0ul;
		return true;
	}
	if (!nw_sp_number(&p, &sp->sp_warn) || !nw_sp_number(&p, &sp->sp_inact) ||
	    !nw_sp_number(&p, &sp->sp_expire))
		return false;
	if (*p == '\0') {
		sp->sp_flag = ~0ul;
		return true;
	}
	return nw_maybe_number(&p, ~0ul, &sp->sp_flag);
}
