/*
 * NSS files that change under a program in the worst ways while 8
 * threads look up good entries.
 *
 *   nss_hostile loop DIR SECONDS   files DIR/{passwd,group,hosts}
 *   nss_hostile rss                lookups of alice, devs and web, then VmRSS
 *
 * loop: the main thread keeps (1) replacing the files by rename() with
 * versions that hold binary garbage, NUL bytes and CRLF lines around the
 * good entries, (2) truncating them to 0 bytes and (3) writing the good
 * files back in place.  Readers count answers that are wrong (always a
 * failure) and missing (expected while a file is empty).  At the end the
 * good files are back and every thread must find every entry again.
 * Prints "lookups N wrong W missing M final F rss-start KB rss-end KB".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8

static const char good_passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
	"alice:x:1500:1500:Alice:/home/alice:/bin/sh\n";
static const char good_group[] = "root:x:0:\ndevs:x:2000:alice,bob\n";
static const char good_hosts[] = "127.0.0.1 localhost\n10.53.57.5 web.fake.test web\n";

static atomic_int stop;
static atomic_long lookups, wrong, missing, final_ok;

static long vmrss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* 1: all three right, 0: some missing; wrong answers are counted. */
static int look(char *buf, size_t len)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	struct hostent he, *hres = NULL;
	int herr, found = 1;

	if (getpwnam_r("alice", &pw, buf, len, &pres) != 0)
		atomic_fetch_add(&wrong, 1);
	else if (pres == NULL)
		found = 0;
	else if (pw.pw_uid != 1500 || pw.pw_gid != 1500 || strcmp(pw.pw_dir, "/home/alice"))
		atomic_fetch_add(&wrong, 1);
	if (getgrnam_r("devs", &gr, buf, len, &gres) != 0)
		atomic_fetch_add(&wrong, 1);
	else if (gres == NULL)
		found = 0;
	else if (gr.gr_gid != 2000 || !gr.gr_mem[0] || strcmp(gr.gr_mem[0], "alice") ||
		 !gr.gr_mem[1] || strcmp(gr.gr_mem[1], "bob") || gr.gr_mem[2])
		atomic_fetch_add(&wrong, 1);
	if (gethostbyname_r("web", &he, buf, len, &hres, &herr) != 0 && hres != NULL)
		atomic_fetch_add(&wrong, 1);
	else if (hres == NULL)
		found = 0;
	else if (he.h_addrtype != AF_INET || strcmp(he.h_name, "web.fake.test") ||
		 memcmp(he.h_addr_list[0], "\x0a\x35\x39\x05", 4) || he.h_addr_list[1])
		atomic_fetch_add(&wrong, 1);
	atomic_fetch_add(&lookups, 1);
	return found;
}

static void *reader(void *arg)
{
	char buf[8192];

	(void)arg;
	while (!atomic_load(&stop))
		if (!look(buf, sizeof(buf)))
			atomic_fetch_add(&missing, 1);
	return NULL;
}

static void *final_reader(void *arg)
{
	char buf[8192];

	(void)arg;
	if (look(buf, sizeof(buf)))
		atomic_fetch_add(&final_ok, 1);
	return NULL;
}

static void put(const char *path, const void *data, size_t len, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* Garbage around the good text, then rename() over the file. */
static void replace(const char *dir, const char *name, const char *good, unsigned seed)
{
	char path[512], tmp[512], blob[4096];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name);
	for (int i = 0; i < 256; i++) {
		seed = seed * 1103515245u + 12345u;
		blob[n++] = (char)(seed >> 16);
	}
	blob[n++] = '\n';
	memcpy(blob + n, "x\0y:z\r\n\r\n", 9);
	n += 9;
	memcpy(blob + n, good, strlen(good));
	n += strlen(good);
	memcpy(blob + n, "\x01\x02:::\xff\n", 7);
	n += 7;
	put(tmp, blob, n, O_TRUNC);
	if (rename(tmp, path) != 0) {
		perror("rename");
		exit(2);
	}
}

static void restore(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/passwd", dir);
	put(path, good_passwd, strlen(good_passwd), O_TRUNC);
	snprintf(path, sizeof(path), "%s/group", dir);
	put(path, good_group, strlen(good_group), O_TRUNC);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	put(path, good_hosts, strlen(good_hosts), O_TRUNC);
}

static void truncate_all(const char *dir)
{
	static const char *const names[] = { "passwd", "group", "hosts" };
	char path[512];

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		put(path, "", 0, O_TRUNC);
	}
}

int main(int argc, char **argv)
{
	pthread_t th[THREADS];
	long rss_start, rss_end;
	time_t end;
	unsigned round = 0;
	char buf[8192];

	if (argc == 2 && strcmp(argv[1], "rss") == 0) {
		int ok = look(buf, sizeof(buf));

		printf("found %d wrong %ld rss %ld\n", ok, atomic_load(&wrong), vmrss_kb());
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "loop") != 0)
		return 2;
	restore(argv[2]);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, reader, NULL);
	usleep(200 * 1000);
	rss_start = vmrss_kb();
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		switch (round++ % 3) {
		case 0:
			replace(argv[2], "passwd", good_passwd, round);
			replace(argv[2], "group", good_group, round * 7);
			replace(argv[2], "hosts", good_hosts, round * 13);
			break;
		case 1:
			truncate_all(argv[2]);
			break;
		default:
			restore(argv[2]);
			break;
		}
		usleep(2000);
	}
	restore(argv[2]);
	usleep(50 * 1000);
	atomic_store(&stop, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	rss_end = vmrss_kb();
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, final_reader, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	printf("lookups %ld wrong %ld missing %ld final %ld rss-start %ld rss-end %ld rounds %u\n",
	       atomic_load(&lookups), atomic_load(&wrong), atomic_load(&missing),
	       atomic_load(&final_ok), rss_start, rss_end, round);
	return 0;
}
