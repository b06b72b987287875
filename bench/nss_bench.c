/*
 * Times lookups through whatever NSS shim is preloaded:
 *
 *   nss_bench passwd|group|hosts COUNT LOOKUPS
 *
 * Names are user<i>, group<i>, host<i>.example.test for i < COUNT.
 * Prints "first=<µs> each=<µs>": the first lookup (which loads the file)
 * and the mean of LOOKUPS more, spread over the file; wall clock, then
 * the same in CPU time of the process (cpu_first, cpu_each), which a
 * busy machine disturbs less.
 */
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static double cpu_us(void)
{
	return clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

static int lookup(const char *db, long i)
{
	char name[64];

	if (strcmp(db, "passwd") == 0) {
		snprintf(name, sizeof(name), "user%ld", i);
		return getpwnam(name) != NULL;
	}
	if (strcmp(db, "group") == 0) {
		snprintf(name, sizeof(name), "group%ld", i);
		return getgrnam(name) != NULL;
	}
	snprintf(name, sizeof(name), "host%ld.example.test", i);
	return gethostbyname(name) != NULL;
}

int main(int argc, char **argv)
{
	long count, lookups, missed = 0;
	double t0, c0, first, each, cfirst, ceach;

	if (argc != 4)
		return 2;
	count = atol(argv[2]);
	lookups = atol(argv[3]);
	c0 = cpu_us();
	t0 = now_us();
	missed += !lookup(argv[1], count - 1);
	first = now_us() - t0;
	cfirst = cpu_us() - c0;
	c0 = cpu_us();
	t0 = now_us();
	for (long k = 0; k < lookups; k++)
		missed += !lookup(argv[1], (k * 7919) % count);
	each = (now_us() - t0) / (double)lookups;
	ceach = (cpu_us() - c0) / (double)lookups;
	printf("first=%.1f each=%.3f cpu_first=%.1f cpu_each=%.3f missed=%ld\n", first, each,
	       cfirst, ceach, missed);
	return missed ? 1 : 0;
}
