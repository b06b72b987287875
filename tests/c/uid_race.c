/*
 * Readers never see a half-made change: one thread keeps switching ids and
 * groups with library calls while others read them; every triple and
 * every group list a reader gets must be one that was set as a whole.
 * Prints "reads=N bad=0" on success.
 */
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define BIG 40
static atomic_int stop;
static atomic_long bad, reads;

static void *reader(void *unused)
{
	gid_t g[64];

	(void)unused;
	while (!atomic_load(&stop)) {
		uid_t r, e, s;
		int n;

		getresuid(&r, &e, &s);
		if (r != 0 || e != s || (e != 0 && e != 7))
			atomic_fetch_add(&bad, 1);
		n = getgroups(64, g);
		if (n == 3) {
			if (g[0] != 1 || g[1] != 2 || g[2] != 3)
				atomic_fetch_add(&bad, 1);
		} else if (n == BIG) {
			for (int i = 0; i < BIG; i++)
				if (g[i] != (gid_t)(100 + i))
					atomic_fetch_add(&bad, 1);
		} else {
			atomic_fetch_add(&bad, 1);
		}
		atomic_fetch_add(&reads, 1);
	}
	return NULL;
}

int main(void)
{
	gid_t small[3] = { 3, 2, 1 }, big[BIG];
	pthread_t t[4];

	for (int i = 0; i < BIG; i++)
		big[i] = (gid_t)(100 + BIG - 1 - i);
	if (setgroups(3, small) || setresuid(0, 0, 0))
		return 3;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 0; i < 20000; i++) {
		if (setresuid(0, 7, 7) || setresuid(0, 0, 0) ||
		    setgroups(i % 2 ? 3 : BIG, i % 2 ? small : big))
			atomic_fetch_add(&bad, 1000);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("reads=%ld bad=%ld\n", atomic_load(&reads), atomic_load(&bad));
	return atomic_load(&bad) != 0;
}
