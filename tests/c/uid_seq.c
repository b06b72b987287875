/*
 * Runs sequences of credential calls and prints every outcome, so that a
 * run as real root without any shim and a run as a normal user under the
 * UID shim can be compared line by line.
 *
 * stdin: one sequence per line, calls separated by ";", each "name args"
 * (ids in decimal, -1 for "unchanged"; setgroups takes a comma list or
 * "-" for none).  Each sequence runs in a forked child that first makes
 * itself root with groups [0], then prints one line: for each call its
 * return value, errno and the resulting state.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned int num(const char *s)
{
	return (unsigned int)strtol(s, NULL, 10);
}

static void state(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	gid_t g[64];
	int n;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf(" u=%u,%u,%u,%u g=%u,%u,%u,%u G=", r, e, s, (unsigned)setfsuid(-1),
	       gr, ge, gs, (unsigned)setfsgid(-1));
	n = getgroups(64, g);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", g[i]);
}

static long call(char *name, char **a, int argc)
{
	unsigned int x = argc > 0 ? num(a[0]) : 0, y = argc > 1 ? num(a[1]) : 0,
		     z = argc > 2 ? num(a[2]) : 0;

	if (!strcmp(name, "setuid")) return setuid(x);
	if (!strcmp(name, "setgid")) return setgid(x);
	if (!strcmp(name, "seteuid")) return seteuid(x);
	if (!strcmp(name, "setegid")) return setegid(x);
	if (!strcmp(name, "setreuid")) return setreuid(x, y);
	if (!strcmp(name, "setregid")) return setregid(x, y);
	if (!strcmp(name, "setresuid")) return setresuid(x, y, z);
	if (!strcmp(name, "setresgid")) return setresgid(x, y, z);
	if (!strcmp(name, "setfsuid")) return setfsuid(x);
	if (!strcmp(name, "setfsgid")) return setfsgid(x);
	if (!strcmp(name, "sys_setuid")) return syscall(SYS_setuid, x);
	if (!strcmp(name, "sys_setgid")) return syscall(SYS_setgid, x);
	if (!strcmp(name, "sys_setreuid")) return syscall(SYS_setreuid, x, y);
	if (!strcmp(name, "sys_setregid")) return syscall(SYS_setregid, x, y);
	if (!strcmp(name, "sys_setresuid")) return syscall(SYS_setresuid, x, y, z);
	if (!strcmp(name, "sys_setresgid")) return syscall(SYS_setresgid, x, y, z);
	if (!strcmp(name, "sys_setfsuid")) return syscall(SYS_setfsuid, x);
	if (!strcmp(name, "sys_setfsgid")) return syscall(SYS_setfsgid, x);
	if (!strcmp(name, "sys_getuid")) return syscall(SYS_getuid);
	if (!strcmp(name, "sys_geteuid")) return syscall(SYS_geteuid);
	if (!strcmp(name, "sys_getgid")) return syscall(SYS_getgid);
	if (!strcmp(name, "sys_getegid")) return syscall(SYS_getegid);
	if (!strcmp(name, "setgroups") || !strcmp(name, "sys_setgroups")) {
		gid_t g[64];
		size_t n = 0;

		if (argc > 0 && strcmp(a[0], "-") != 0)
			for (char *t = strtok(a[0], ","); t && n < 64; t = strtok(NULL, ","))
				g[n++] = num(t);
		return name[0] == 's' && name[1] == 'y' ? syscall(SYS_setgroups, (long)n, g)
							: setgroups(n, g);
	}
	if (!strcmp(name, "setgroups_huge")) return setgroups(65537, NULL);
	if (!strcmp(name, "setgroups_null")) return setgroups(x, NULL);
	if (!strcmp(name, "getgroups_null")) return getgroups((int)x, NULL);
	if (!strcmp(name, "sys_getgroups_null")) return syscall(SYS_getgroups, (long)x, NULL);
	if (!strcmp(name, "sys_setgroups_neg")) return syscall(SYS_setgroups, -1L, NULL);
	if (!strcmp(name, "getgroups") || !strcmp(name, "sys_getgroups")) {
		gid_t g[64];
		int size = (int)x;
		long n = name[0] == 'g' ? getgroups(size, size ? g : NULL)
					: syscall(SYS_getgroups, (long)size, size ? g : NULL);

		for (long i = 0; size && i < n; i++)
			printf("%s%u", i ? "," : "[", g[i]);
		if (size && n > 0)
			printf("]");
		return n;
	}
	printf("unknown call %s\n", name);
	exit(2);
}

static void run(char *line)
{
	char *save = NULL;
	gid_t zero = 0;

	if (setgroups(1, &zero) || setresgid(0, 0, 0) || setresuid(0, 0, 0)) {
		printf("cannot become root: %s\n", strerror(errno));
		exit(3);
	}
	for (char *op = strtok_r(line, ";", &save); op; op = strtok_r(NULL, ";", &save)) {
		char *args[4], *save2 = NULL, *name = strtok_r(op, " ", &save2);
		int argc = 0;

		if (name == NULL)
			continue;
		while (argc < 4 && (args[argc] = strtok_r(NULL, " ", &save2)))
			argc++;
		errno = 0;
		printf("%s:", name);
		long ret = call(name, args, argc);
		int err = errno;

		printf(" ret=%ld errno=%d", ret, ret == -1 ? err : 0);
		state();
		printf(" | ");
	}
	printf("\n");
}

int main(void)
{
	char line[4096];

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		fflush(stdout);
		pid_t pid = fork();

		if (pid == 0) {
			run(line);
			fflush(stdout);
			_exit(0);
		}
		int status;

		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("child failed: %d\n", status);
			return 1;
		}
	}
	return 0;
}
