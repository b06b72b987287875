/*
 * A tiny NSS module for NSS_WRAPPER_MODULE_SO_PATH tests: the prefix is
 * "cwtest"; it knows one user (moduser, uid 7001), one group (modgroup,
 * gid 7002, members moduser and alice) and one host (modhost, 10.70.0.1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <nss.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

static char *put(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = *buf;

	if (n > *len)
		return NULL;
	memcpy(d, s, n);
	*buf += n;
	*len -= n;
	return d;
}

static enum nss_status fill_pw(struct passwd *pw, char *buf, size_t len, int *err)
{
	pw->pw_name = put(&buf, &len, "moduser");
	pw->pw_passwd = put(&buf, &len, "x");
	pw->pw_gecos = put(&buf, &len, "From the module");
	pw->pw_dir = put(&buf, &len, "/home/moduser");
	pw->pw_shell = put(&buf, &len, "/bin/sh");
	if (pw->pw_shell == NULL) {
		*err = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	pw->pw_uid = 7001;
	pw->pw_gid = 7002;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_cwtest_getpwnam_r(const char *name, struct passwd *pw, char *buf,
				       size_t len, int *err)
{
	if (strcmp(name, "moduser") != 0)
		return NSS_STATUS_NOTFOUND;
	return fill_pw(pw, buf, len, err);
}

enum nss_status _nss_cwtest_getpwuid_r(uid_t uid, struct passwd *pw, char *buf,
				       size_t len, int *err)
{
	if (uid != 7001)
		return NSS_STATUS_NOTFOUND;
	return fill_pw(pw, buf, len, err);
}

static int pwent_pos;

enum nss_status _nss_cwtest_setpwent(void)
{
	pwent_pos = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_cwtest_endpwent(void)
{
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_cwtest_getpwent_r(struct passwd *pw, char *buf, size_t len, int *err)
{
	if (pwent_pos > 0)
		return NSS_STATUS_NOTFOUND;
	enum nss_status st = fill_pw(pw, buf, len, err);

	if (st == NSS_STATUS_SUCCESS)
		pwent_pos++;
	return st;
}

static enum nss_status fill_gr(struct group *gr, char *buf, size_t len, int *err)
{
	char **mem = (char **)(void *)buf;

	if (len < 3 * sizeof(char *)) {
		*err = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	buf += 3 * sizeof(char *);
	len -= 3 * sizeof(char *);
	gr->gr_name = put(&buf, &len, "modgroup");
	gr->gr_passwd = put(&buf, &len, "x");
	mem[0] = put(&buf, &len, "moduser");
	mem[1] = put(&buf, &len, "alice");
	mem[2] = NULL;
	if (mem[1] == NULL) {
		*err = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	gr->gr_mem = mem;
	gr->gr_gid = 7002;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_cwtest_getgrnam_r(const char *name, struct group *gr, char *buf,
				       size_t len, int *err)
{
	if (strcmp(name, "modgroup") != 0)
		return NSS_STATUS_NOTFOUND;
	return fill_gr(gr, buf, len, err);
}

enum nss_status _nss_cwtest_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
				       int *err)
{
	if (gid != 7002)
		return NSS_STATUS_NOTFOUND;
	return fill_gr(gr, buf, len, err);
}

enum nss_status _nss_cwtest_initgroups_dyn(const char *user, gid_t group, long *start,
					   long *size, gid_t **groups, long limit, int *err)
{
	(void)group;
	(void)limit;
	(void)err;
	if (strcmp(user, "moduser") != 0 && strcmp(user, "alice") != 0)
		return NSS_STATUS_NOTFOUND;
	if (*start == *size) {
		gid_t *g = realloc(*groups, (size_t)(*size * 2) * sizeof(gid_t));

		if (g == NULL)
			return NSS_STATUS_TRYAGAIN;
		*groups = g;
		*size *= 2;
	}
	(*groups)[(*start)++] = 7002;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_cwtest_gethostbyname2_r(const char *name, int af, struct hostent *he,
					     char *buf, size_t len, int *err, int *herr)
{
	char **ptrs = (char **)(void *)buf;

	if (strcmp(name, "modhost") != 0 || af != AF_INET) {
		*herr = HOST_NOT_FOUND;
		return NSS_STATUS_NOTFOUND;
	}
	if (len < 4 * sizeof(char *) + 4 + 8) {
		*err = ERANGE;
		*herr = NETDB_INTERNAL;
		return NSS_STATUS_TRYAGAIN;
	}
	ptrs[0] = NULL;                         /* aliases */
	ptrs[1] = buf + 4 * sizeof(char *);     /* the address */
	ptrs[2] = NULL;
	inet_pton(AF_INET, "10.70.0.1", ptrs[1]);
	he->h_name = strcpy(ptrs[1] + 4, "modhost");
	he->h_aliases = &ptrs[0];
	he->h_addr_list = &ptrs[1];
	he->h_addrtype = AF_INET;
	he->h_length = 4;
	return NSS_STATUS_SUCCESS;
}
