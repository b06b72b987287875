/* Prints the cost of the get*id calls in nanoseconds per call. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define BENCH(name, expr)                                              \
	do {                                                           \
		double t0 = now();                                     \
		for (long i = 0; i < n; i++) {                         \
			expr;                                          \
			__asm__ volatile("" ::: "memory");             \
		}                                                      \
		printf("%s %.1f\n", name, (now() - t0) / (double)n);  \
	} while (0)

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	volatile unsigned sink = 0;
	uid_t r, e, s;
	gid_t g[8];

	BENCH("getuid", sink += getuid());
	BENCH("geteuid", sink += geteuid());
	BENCH("getgid", sink += getgid());
	BENCH("getresuid", (getresuid(&r, &e, &s), sink += e));
	BENCH("getgroups", sink += (unsigned)getgroups(8, g));
	BENCH("syscall(SYS_getuid)", sink += (unsigned)syscall(SYS_getuid));
	return (int)(sink & 0);
}
