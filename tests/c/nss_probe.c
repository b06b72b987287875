/*
 * Asks the name service what each argument asks and prints the answers
 * in a form that can be compared between glibc and the NSS shim.
 *
 *   pwnam|NAME  pwuid|UID  grnam|NAME  grgid|GID  spnam|NAME
 *   pwent  grent  spent  hostent               (whole enumerations)
 *   grouplist|USER|GID|NGROUPS
 *   hbn|NAME  hbn2|NAME|4or6  hbnr|NAME|4or6|BUFLEN  hba|ADDRESS
 *   gai|NODE|SERVICE|FAMILY|SOCKTYPE|PROTOCOL|FLAGS   ("-" is NULL)
 *   gni|ADDRESS|PORT|FLAGS|HOSTLEN|SERVLEN
 *   pwnamr|NAME|BUFLEN  grnamr|NAME|BUFLEN            (_r, ERANGE)
 *   hostname|LEN  uname
 *   initgroups|USER|GID      (prints the return value and errno)
 *   wait                     (reads a line from stdin first: lets a test
 *                             change the files between two questions)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

static char *field(char **p)
{
	char *s = *p, *bar;

	if (s == NULL)
		return NULL;
	bar = strchr(s, '|');
	if (bar) {
		*bar = '\0';
		*p = bar + 1;
	} else {
		*p = NULL;
	}
	return strcmp(s, "-") == 0 ? NULL : s;
}

static void print_pw(const struct passwd *pw)
{
	printf("  %s:%s:%u:%u:%s:%s:%s\n", pw->pw_name, pw->pw_passwd, pw->pw_uid, pw->pw_gid,
	       pw->pw_gecos, pw->pw_dir, pw->pw_shell);
}

static void print_gr(const struct group *gr)
{
	printf("  %s:%s:%u:", gr->gr_name, gr->gr_passwd, gr->gr_gid);
	for (char **m = gr->gr_mem; *m; m++)
		printf("%s%s", m == gr->gr_mem ? "" : ",", *m);
	printf("\n");
}

static void print_sp(const struct spwd *sp)
{
	printf("  %s:%s:%ld:%ld:%ld:%ld:%ld:%ld:%lu\n", sp->sp_namp, sp->sp_pwdp, sp->sp_lstchg,
	       sp->sp_min, sp->sp_max, sp->sp_warn, sp->sp_inact, sp->sp_expire, sp->sp_flag);
}

static void print_he(const struct hostent *he)
{
	char text[INET6_ADDRSTRLEN];

	printf("  name=%s type=%d len=%d\n", he->h_name, he->h_addrtype, he->h_length);
	for (char **a = he->h_aliases; *a; a++)
		printf("  alias=%s\n", *a);
	for (char **a = he->h_addr_list; *a; a++)
		printf("  addr=%s\n", inet_ntop(he->h_addrtype, *a, text, sizeof(text)));
}

static void print_sa(const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;

		printf("%s port=%u", inet_ntop(AF_INET, &s->sin_addr, text, sizeof(text)),
		       ntohs(s->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;

		printf("%s port=%u scope=%u flow=%u",
		       inet_ntop(AF_INET6, &s->sin6_addr, text, sizeof(text)),
		       ntohs(s->sin6_port), s->sin6_scope_id, s->sin6_flowinfo);
	} else {
		printf("family %d", sa->sa_family);
	}
}

static int num(const char *s)
{
	return s ? (int)strtol(s, NULL, 0) : 0;
}

static void fill_sa(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s = (void *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &s->sin6_addr);
		*len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (void *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &s->sin_addr);
		*len = sizeof(*s);
	}
}

static void query(char *q)
{
	char *rest = q;
	char *cmd = field(&rest);

	if (strcmp(cmd, "pwnam") == 0 || strcmp(cmd, "pwuid") == 0) {
		char *arg = field(&rest);
		struct passwd *pw;

		errno = 0;
		pw = cmd[2] == 'n' ? getpwnam(arg) : getpwuid((uid_t)strtoul(arg, NULL, 10));
		if (pw)
			print_pw(pw);
		else
			printf("  none errno=%d\n", errno);
	} else if (strcmp(cmd, "grnam") == 0 || strcmp(cmd, "grgid") == 0) {
		char *arg = field(&rest);
		struct group *gr;

		errno = 0;
		gr = cmd[2] == 'n' ? getgrnam(arg) : getgrgid((gid_t)strtoul(arg, NULL, 10));
		if (gr)
			print_gr(gr);
		else
			printf("  none errno=%d\n", errno);
	} else if (strcmp(cmd, "spnam") == 0) {
		char *arg = field(&rest);
		struct spwd *sp;

		errno = 0;
		sp = getspnam(arg);
		if (sp)
			print_sp(sp);
		else
			printf("  none errno=%d\n", errno);
	} else if (strcmp(cmd, "pwnamr") == 0 || strcmp(cmd, "grnamr") == 0) {
		char *arg = field(&rest);
		size_t len = (size_t)num(field(&rest));
		char *buf = malloc(len ? len : 1);
		int rc;

		if (cmd[0] == 'p') {
			struct passwd pw, *res = (void *)1;

			rc = getpwnam_r(arg, &pw, buf, len, &res);
			printf("  rc=%d result=%s\n", rc, res ? "set" : "null");
			if (res && rc == 0)
				print_pw(res);
		} else {
			struct group gr, *res = (void *)1;

			rc = getgrnam_r(arg, &gr, buf, len, &res);
			printf("  rc=%d result=%s\n", rc, res ? "set" : "null");
			if (res && rc == 0)
				print_gr(res);
		}
		free(buf);
	} else if (strcmp(cmd, "pwent") == 0) {
		struct passwd *pw;

		setpwent();
		while ((pw = getpwent()) != NULL)
			print_pw(pw);
		endpwent();
	} else if (strcmp(cmd, "grent") == 0) {
		struct group *gr;

		setgrent();
		while ((gr = getgrent()) != NULL)
			print_gr(gr);
		endgrent();
	} else if (strcmp(cmd, "spent") == 0) {
		struct spwd *sp;

		setspent();
		while ((sp = getspent()) != NULL)
			print_sp(sp);
		endspent();
	} else if (strcmp(cmd, "hostent") == 0) {
		struct hostent *he;

		sethostent(0);
		while ((he = gethostent()) != NULL)
			print_he(he);
		endhostent();
	} else if (strcmp(cmd, "grouplist") == 0) {
		char *user = field(&rest);
		gid_t gid = (gid_t)num(field(&rest));
		int n = num(field(&rest)), asked = n, rc;
		gid_t *groups = calloc((size_t)(n > 0 ? n : 1), sizeof(gid_t));

		rc = getgrouplist(user, gid, groups, &n);
		printf("  rc=%d n=%d:", rc, n);
		for (int i = 0; i < (rc < 0 ? asked : n) && i < asked; i++)
			printf(" %u", groups[i]);
		printf("\n");
		free(groups);
	} else if (strcmp(cmd, "hbn") == 0 || strcmp(cmd, "hbn2") == 0) {
		char *name = field(&rest);
		int af = cmd[3] == '2' && num(field(&rest)) == 6 ? AF_INET6 : AF_INET;
		struct hostent *he;

		h_errno = 0;
		he = cmd[3] == '2' ? gethostbyname2(name, af) : gethostbyname(name);
		if (he)
			print_he(he);
		else
			printf("  none h_errno=%d\n", h_errno);
	} else if (strcmp(cmd, "hbnr") == 0) {
		char *name = field(&rest);
		int af = num(field(&rest)) == 6 ? AF_INET6 : AF_INET;
		size_t len = (size_t)num(field(&rest));
		char *buf = malloc(len ? len : 1);
		struct hostent he, *res = (void *)1;
		int herr = 0, rc;

		rc = gethostbyname2_r(name, af, &he, buf, len, &res, &herr);
		printf("  rc=%d herr=%d result=%s\n", rc, herr, res ? "set" : "null");
		if (rc == 0 && res)
			print_he(res);
		free(buf);
	} else if (strcmp(cmd, "hba") == 0) {
		char *addr = field(&rest);
		unsigned char a[16];
		int af = strchr(addr, ':') ? AF_INET6 : AF_INET;
		struct hostent *he;

		inet_pton(af, addr, a);
		h_errno = 0;
		he = gethostbyaddr(a, af == AF_INET ? 4 : 16, af);
		if (he)
			print_he(he);
		else
			printf("  none h_errno=%d\n", h_errno);
	} else if (strcmp(cmd, "gai") == 0) {
		char *node = field(&rest), *service = field(&rest);
		struct addrinfo hints = { 0 }, *res = NULL;
		int rc;

		hints.ai_family = num(field(&rest));
		hints.ai_socktype = num(field(&rest));
		hints.ai_protocol = num(field(&rest));
		hints.ai_flags = num(field(&rest));
		rc = getaddrinfo(node, service, &hints, &res);
		printf("  rc=%d (%s)\n", rc, rc ? gai_strerror(rc) : "ok");
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			printf("  fam=%d type=%d proto=%d flags=%#x len=%u ", ai->ai_family,
			       ai->ai_socktype, ai->ai_protocol, ai->ai_flags, ai->ai_addrlen);
			print_sa(ai->ai_addr);
			printf(" canon=%s\n", ai->ai_canonname ? ai->ai_canonname : "(null)");
		}
		if (rc == 0)
			freeaddrinfo(res);
	} else if (strcmp(cmd, "gni") == 0) {
		char *addr = field(&rest);
		int port = num(field(&rest)), flags = num(field(&rest));
		int hl = num(field(&rest)), sl = num(field(&rest));
		struct sockaddr_storage ss;
		socklen_t len;
		char host[1025], serv[64];
		int rc;

		fill_sa(addr, port, &ss, &len);
		rc = getnameinfo((struct sockaddr *)&ss, len, hl ? host : NULL, (socklen_t)hl,
				 sl ? serv : NULL, (socklen_t)sl, flags);
		printf("  rc=%d host=%s serv=%s\n", rc, rc == 0 && hl ? host : "-",
		       rc == 0 && sl ? serv : "-");
	} else if (strcmp(cmd, "hostname") == 0) {
		size_t len = (size_t)num(field(&rest));
		char buf[300];
		int rc;

		memset(buf, 0, sizeof(buf));
		errno = 0;
		rc = gethostname(buf, len);
		printf("  rc=%d errno=%d name=%.*s\n", rc, errno, (int)len, buf);
	} else if (strcmp(cmd, "initgroups") == 0) {
		char *user = field(&rest);
		gid_t gid = (gid_t)num(field(&rest));
		int rc;

		errno = 0;
		rc = initgroups(user, gid);
		printf("  rc=%d errno=%d\n", rc, rc ? errno : 0);
	} else if (strcmp(cmd, "wait") == 0) {
		char line[64];

		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			printf("  eof\n");
	} else if (strcmp(cmd, "uname") == 0) {
		struct utsname u;

		uname(&u);
		printf("  nodename=%s\n", u.nodename);
	} else {
		printf("  unknown query\n");
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *copy = strdup(argv[i]);

		printf("%s\n", argv[i]);
		query(copy);
		free(copy);
	}
	fflush(stdout);
	return 0;
}
