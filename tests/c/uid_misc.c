/*
 * Small checks, one per argument:
 *   ids          prints "uid=R,E,S,FS gid=R,E,S,FS groups=..." and geteuid()
 *   drop         drops root for good (setgroups, setgid, setuid to 4242)
 *                then tries every way back; prints what happened
 *   chroot DIR   chroot(DIR), then prints the result and errno
 *   initgroups USER GID   as root, then prints the groups
 *   syscall N    syscall(N) and prints the result and errno
 *   chk N        __getgroups_chk with a 2-entry buffer and size N
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

int __getgroups_chk(int size, gid_t *list, size_t listlen);

static void ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[32];
	int n;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid=%u,%u,%u,%d gid=%u,%u,%u,%d groups=", r, e, s, setfsuid(-1),
	       gr, ge, gs, setfsgid(-1));
	n = getgroups(32, g);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", g[i]);
	printf("\ngeteuid=%u getuid=%u getegid=%u getgid=%u\n", geteuid(), getuid(),
	       getegid(), getgid());
}

static void try(const char *what, int rc)
{
	printf("%s=%s\n", what, rc == 0 ? "ok" : strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "ids")) {
		ids();
	} else if (!strcmp(argv[1], "drop")) {
		gid_t g = 4242, zero = 0;

		try("setgroups", setgroups(1, &g));
		try("setgid", setgid(4242));
		try("setuid", setuid(4242));
		try("setuid0", setuid(0));
		try("seteuid0", seteuid(0));
		try("setreuid0", setreuid(0, 0));
		try("setresuid0", setresuid(-1, 0, -1));
		try("sys_setuid0", (int)syscall(SYS_setuid, 0));
		try("setgid0", setgid(0));
		try("setgroups0", setgroups(1, &zero));
		printf("fsuid0=%d\n", (setfsuid(0), setfsuid(-1)));
		ids();
	} else if (!strcmp(argv[1], "chroot") && argc > 2) {
		try("chroot", chroot(argv[2]));
	} else if (!strcmp(argv[1], "initgroups") && argc > 3) {
		try("initgroups", initgroups(argv[2], (gid_t)atoi(argv[3])));
		ids();
	} else if (!strcmp(argv[1], "syscall") && argc > 2) {
		errno = 0;
		long rc = syscall(atol(argv[2]));

		printf("syscall=%ld errno=%d\n", rc, errno);
	} else if (!strcmp(argv[1], "chk") && argc > 2) {
		gid_t g[2];

		printf("chk=%d\n", __getgroups_chk(atoi(argv[2]), g, sizeof(g)));
	} else {
		return 2;
	}
	return 0;
}
