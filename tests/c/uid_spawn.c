/*
 * Does the identity survive each way of starting a program?
 *
 *   uid_spawn print          prints "uid=R,E,S,FS gid=R,E,S,FS groups=..."
 *   uid_spawn MODE           becomes uid 31/32/33, gid 21/22/23, groups
 *                            11,12 (from root), then starts "uid_spawn
 *                            print" by MODE (or, for fork and thread,
 *                            prints from the new process or thread).
 *
 * Run as real root without the shim it shows what the kernel does.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char self[4096];

static void print(const char *who)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[32];
	int n;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%suid=%u,%u,%u,%d gid=%u,%u,%u,%d groups=", who, r, e, s,
	       setfsuid(-1), gr, ge, gs, setfsgid(-1));
	n = getgroups(32, g);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", g[i]);
	printf("\n");
	fflush(stdout);
}

static void *thread_print(void *unused)
{
	(void)unused;
	print("");
	return NULL;
}

static int wait_for(pid_t pid)
{
	int status;

	if (pid < 0) {
		perror("start");
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The environment without the shim's variables except LD_PRELOAD and
 * UID_WRAPPER: what a program building its own environment passes. */
static char **own_env(void)
{
	static char *env[8];
	int n = 0;

	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "LD_PRELOAD=", 11) || !strncmp(*e, "UID_WRAPPER=", 12) ||
		    !strncmp(*e, "PATH=", 5))
			env[n++] = *e;
	env[n] = NULL;
	return env;
}

int main(int argc, char **argv)
{
	char *print_argv[] = { self, "print", NULL };
	const char *mode = argc > 1 ? argv[1] : "print";
	gid_t groups[2] = { 11, 12 };
	pid_t pid;

	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return 2;
	if (!strcmp(mode, "print")) {
		print("");
		return 0;
	}
	if (setgroups(2, groups) || setresgid(21, 22, 23) || setresuid(31, 32, 33)) {
		printf("cannot switch: %s\n", strerror(errno));
		return 3;
	}
	fflush(stdout);
	if (!strcmp(mode, "fork")) {
		pid = fork();
		if (pid == 0) {
			print("");
			_exit(0);
		}
		return wait_for(pid);
	}
	if (!strcmp(mode, "thread")) {
		pthread_t t;

		pthread_create(&t, NULL, thread_print, NULL);
		pthread_join(t, NULL);
		return 0;
	}
	if (!strcmp(mode, "exec"))          /* no fork first */
		execv(self, print_argv);
	if (!strcmp(mode, "execl"))
		execl(self, self, "print", (char *)NULL);
	if (!strcmp(mode, "execle"))
		execle(self, self, "print", (char *)NULL, own_env());
	if (!strcmp(mode, "execvp"))
		execvp(self, print_argv);
	if (!strcmp(mode, "execve-own-env"))
		execve(self, print_argv, own_env());
	if (!strcmp(mode, "fexecve")) {
		int fd = open(self, O_RDONLY | O_CLOEXEC);

		fexecve(fd, print_argv, own_env());
	}
	if (!strcmp(mode, "fork-exec")) {
		pid = fork();
		if (pid == 0) {
			execv(self, print_argv);
			_exit(127);
		}
		return wait_for(pid);
	}
	if (!strcmp(mode, "vfork-exec")) {
		pid = vfork();
		if (pid == 0) {
			execve(self, print_argv, own_env());
			_exit(127);
		}
		return wait_for(pid);
	}
	if (!strcmp(mode, "posix_spawn") || !strcmp(mode, "posix_spawnp") ||
	    !strcmp(mode, "posix_spawn-own-env") || !strcmp(mode, "posix_spawn-resetids")) {
		posix_spawnattr_t attr;
		char **env = strstr(mode, "own-env") ? own_env() : environ;
		int rc;

		posix_spawnattr_init(&attr);
		if (strstr(mode, "resetids"))
			posix_spawnattr_setflags(&attr, POSIX_SPAWN_RESETIDS);
		if (!strcmp(mode, "posix_spawnp"))
			rc = posix_spawnp(&pid, self, NULL, &attr, print_argv, env);
		else
			rc = posix_spawn(&pid, self, NULL, &attr, print_argv, env);
		if (rc != 0) {
			printf("posix_spawn: %s\n", strerror(rc));
			return 1;
		}
		return wait_for(pid);
	}
	if (!strcmp(mode, "system")) {
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "%s print", self);
		return system(cmd) == 0 ? 0 : 1;
	}
	if (!strcmp(mode, "popen")) {
		char cmd[4200], line[256];
		FILE *p;

		snprintf(cmd, sizeof(cmd), "%s print", self);
		p = popen(cmd, "r");
		while (p && fgets(line, sizeof(line), p))
			fputs(line, stdout);
		return p && pclose(p) == 0 ? 0 : 1;
	}
	printf("%s failed or unknown: %s\n", mode, strerror(errno));
	return 1;
}
