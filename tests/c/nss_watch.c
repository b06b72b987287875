/*
 * The shim's inotify shortcut against what a program may do to its
 * descriptors: each step edits the passwd file and checks that the next
 * lookup sees the edit, after the program closed every descriptor
 * (close_range), put a pipe or an eventfd on the shim's number, or forked.
 * The pipe's data and the eventfd's counter must be left alone.
 *
 *   nss_watch PASSWD_PATH
 *
 * Prints "ok STEP" or "FAIL STEP: why" per step, then "done".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *passwd;
static int failures;

/* Rewrites the file in place with alice's uid, keeping size and mtime. */
static void set_uid(unsigned uid)
{
	struct stat before;
	struct timespec times[2];
	char text[256];
	FILE *f;

	stat(passwd, &before);
	snprintf(text, sizeof(text),
		 "root:x:0:0:root:/root:/bin/sh\nalice:x:%u:1500:Alice:/home/alice:/bin/sh\n", uid);
	f = fopen(passwd, "r+");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(passwd);
		exit(2);
	}
	times[0] = before.st_atim;
	times[1] = before.st_mtim;
	utimensat(AT_FDCWD, passwd, times, 0);
}

static void expect(const char *step, unsigned uid)
{
	struct passwd *pw = getpwnam("alice");

	if (pw == NULL) {
		printf("FAIL %s: alice not found\n", step);
		failures++;
	} else if (pw->pw_uid != uid) {
		printf("FAIL %s: uid %u, expected %u\n", step, pw->pw_uid, uid);
		failures++;
	} else {
		printf("ok %s\n", step);
	}
	fflush(stdout);
}

/* The descriptor of the shim's inotify instance, or -1. */
static int inotify_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], target[64];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, "anon_inode:inotify") == 0)
				found = atoi(e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	return found;
}

static void check(const char *step, int ok, const char *why)
{
	if (!ok) {
		printf("FAIL %s: %s\n", step, why);
		failures++;
	} else {
		printf("ok %s\n", step);
	}
	fflush(stdout);
}

static void step_pipe(int fd)
{
	int p[2];
	char data[8] = { 0 };

	if (pipe(p) != 0 || write(p[1], "XYZ", 3) != 3 || dup2(p[0], fd) != fd)
		exit(2);
	set_uid(1504);
	expect("pipe on the number", 1504);
	check("pipe data untouched", read(fd, data, sizeof(data)) == 3 &&
	      memcmp(data, "XYZ", 3) == 0, "the shim read the program's pipe");
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void step_eventfd(int fd)
{
	int efd = eventfd(5, 0);
	uint64_t count = 0;

	if (efd < 0 || dup2(efd, fd) != fd)
		exit(2);
	close(efd);
	set_uid(1505);
	expect("eventfd on the number", 1505);
	check("eventfd counter untouched", read(fd, &count, sizeof(count)) == 8 && count == 5,
	      "the shim read the program's eventfd");
	close(fd);
}

static void step_fork(void)
{
	pid_t pid;
	int status = 0;

	pid = fork();
	if (pid == 0) {
		/* The child looks up (its own watch), the parent then edits. */
		expect("child looks up", 1505);
		set_uid(1506);
		expect("child sees its edit", 1506);
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	check("child exit", WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed");
	expect("parent sees the child's edit", 1506);
	set_uid(1507);
	expect("parent after fork", 1507);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2)
		return 2;
	passwd = argv[1];
	fclose(fopen(passwd, "w"));     /* then each edit keeps the same size */
	set_uid(1500);
	expect("first", 1500);
	fd = inotify_fd();
	check("watched", fd >= 0, "no inotify descriptor");
	set_uid(1501);
	expect("same size, same mtime", 1501);
	syscall(SYS_close_range, 3, ~0u, 0);
	set_uid(1502);
	expect("after close_range", 1502);
	fd = inotify_fd();
	check("watched again", fd >= 0, "no inotify descriptor");
	set_uid(1503);
	expect("new watch", 1503);
	if (fd >= 0) {
		close(fd);      /* as a program closing "all" its descriptors */
		step_pipe(fd);
		fd = inotify_fd();
		if (fd >= 0) {
			close(fd);
			step_eventfd(fd);
		}
	}
	step_fork();
	printf("done failures=%d\n", failures);
	return failures ? 1 : 0;
}
