/*
 * Lookups from many threads while the files are replaced (rename) and
 * edited in place, and while the process forks: every answer must be one
 * of the file's versions, and children must be able to look up too.
 *
 *   nss_threads PASSWD_PATH HOSTS_PATH SECONDS [inplace] [nofork]
 *
 * With "inplace" the files are rewritten in place (truncated, then
 * written): a reader may then see a partial file and miss a name, as
 * with glibc, so only wrong answers count, not missing ones.  "nofork"
 * is for AddressSanitizer runs: its allocator is not fork-safe (a child
 * of a threaded process can hang in malloc), whatever the shim does.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <grp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop, bad, done;
static int inplace, nofork;

static void *looker(void *arg)
{
	char buf[4096];
	long n = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		struct passwd pw, *res = NULL;
		struct hostent he, *hres = NULL;
		struct addrinfo *ai = NULL, hints = { .ai_socktype = SOCK_STREAM };
		int herr;

		if (getpwnam_r("alice", &pw, buf, sizeof(buf), &res) != 0 ||
		    (res == NULL && !inplace) ||
		    (res != NULL && pw.pw_uid != 1000 && pw.pw_uid != 2000))
			atomic_fetch_add(&bad, 1);
		if (gethostbyname_r("web", &he, buf, sizeof(buf), &hres, &herr) != 0 ||
		    (hres == NULL && !inplace) ||
		    (hres != NULL && strcmp(he.h_name, "web") != 0))
			atomic_fetch_add(&bad, 1);
		if (getaddrinfo("web", "80", &hints, &ai) == 0)
			freeaddrinfo(ai);
		else if (!inplace)
			atomic_fetch_add(&bad, 1);
		if (getpwnam("alice") == NULL && !inplace)
			atomic_fetch_add(&bad, 1);
		n++;
	}
	atomic_fetch_add(&done, (int)(n > 0));
	return NULL;
}

static void write_file(const char *path, const char *text, int by_rename)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(by_rename ? tmp : path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	if (by_rename && rename(tmp, path) != 0) {
		perror("rename");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	pthread_t t[8];
	time_t end;
	int rounds = 0, forks = 0;

	if (argc < 4)
		return 2;
	for (int i = 4; i < argc; i++) {
		inplace |= strcmp(argv[i], "inplace") == 0;
		nofork |= strcmp(argv[i], "nofork") == 0;
	}
	end = time(NULL) + atoi(argv[3]);
	/* The files start in a known version. */
	write_file(argv[1], "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\n", 1);
	write_file(argv[2], "10.0.0.1 web\n", 1);
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, looker, NULL);
	while (time(NULL) < end) {
		int v = rounds % 2;
		char text[256];

		snprintf(text, sizeof(text), "root:x:0:0::/root:/bin/sh\nalice:x:%d:%d::/h:/bin/sh\n",
			 v ? 2000 : 1000, v ? 2000 : 1000);
		write_file(argv[1], text, !inplace);
		write_file(argv[2], v ? "10.0.0.1 web\n" : "# c\n10.0.0.2 web www\n",
			   !inplace);
		if (rounds % 10 == 0 && !nofork) {
			pid_t pid = fork();

			if (pid == 0) {
				struct passwd *pw = getpwnam("alice");
				struct hostent *he = gethostbyname("web");

				_exit((pw != NULL && he != NULL) || inplace ? 0 : 1);
			}
			int status;

			waitpid(pid, &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				atomic_fetch_add(&bad, 1);
			forks++;
		}
		rounds++;
		usleep(1000);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("rounds=%d forks=%d threads=%d bad=%d\n", rounds, forks, atomic_load(&done),
	       atomic_load(&bad));
	return atomic_load(&bad) == 0 && atomic_load(&done) == 8 ? 0 : 1;
}
