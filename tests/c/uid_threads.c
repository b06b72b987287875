/*
 * Credentials and threads, step by step: raw syscalls change only the
 * calling thread, library calls change every thread (except setfsuid),
 * new threads start with their creator's ids.  Prints one line per step
 * with the ids each thread sees; run as real root without the shim it
 * shows what the kernel and glibc do.
 */
#include <grp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

static void ids(char *out, size_t size)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[16];
	int n, len;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	len = snprintf(out, size, "u=%u,%u,%u,%d g=%u,%u,%u,%d G=", r, e, s,
		       setfsuid(-1), gr, ge, gs, setfsgid(-1));
	n = getgroups(16, g);
	for (int i = 0; i < n; i++)
		len += snprintf(out + len, size - (size_t)len, "%s%u", i ? "," : "", g[i]);
}

/* A worker thread that runs one command at a time for main. */
static sem_t go, done;
static void (*job)(void);
static char t1_ids[256];

static void *worker(void *unused)
{
	(void)unused;
	for (;;) {
		sem_wait(&go);
		if (job == NULL)
			return NULL;
		job();
		ids(t1_ids, sizeof(t1_ids));
		sem_post(&done);
	}
}

static void in_t1(void (*fn)(void))
{
	job = fn;
	sem_post(&go);
	sem_wait(&done);
}

static void step(const char *what, long rc)
{
	char mine[256];

	ids(mine, sizeof(mine));
	printf("%s rc=%ld | main %s | t1 %s\n", what, rc, mine, t1_ids);
}

static long rc;
static void *child_print(void *unused)
{
	static char buf[256];

	(void)unused;
	ids(buf, sizeof(buf));
	return buf;
}

static char spawned[256];
static void nothing(void) {}
static void raw_setresgid(void) { rc = syscall(SYS_setresgid, 3, 3, 3); }
static void t1_spawns(void)
{
	pthread_t t;
	void *out;

	pthread_create(&t, NULL, child_print, NULL);
	pthread_join(t, &out);
	snprintf(spawned, sizeof(spawned), "%s", (char *)out);
}
static void lib_seteuid0(void) { rc = seteuid(0); }
static void raw_setfsuid(void) { rc = syscall(SYS_setfsuid, 9); }
static void lib_setgroups(void) { gid_t g[2] = { 40, 41 }; rc = setgroups(2, g); }
static void raw_setresuid(void) { rc = syscall(SYS_setresuid, 1, 1, 0); }
static void lib_setuid(void) { rc = setuid(1); }

int main(void)
{
	pthread_t t1, t2;
	gid_t zero = 0;
	void *out;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setgroups(1, &zero) || setresgid(0, 0, 0) || setresuid(0, 0, 0)) {
		printf("cannot become root\n");
		return 3;
	}
	sem_init(&go, 0, 0);
	sem_init(&done, 0, 0);
	pthread_create(&t1, NULL, worker, NULL);
	in_t1(nothing);
	step("start", 0);
	in_t1(raw_setresgid);
	step("t1 raw setresgid(3,3,3)", rc);
	rc = setresuid(2, 2, 0);
	in_t1(nothing);
	step("main setresuid(2,2,0)", rc);
	in_t1(t1_spawns);
	printf("thread made by t1: %s\n", spawned);
	pthread_create(&t2, NULL, child_print, NULL);
	pthread_join(t2, &out);
	printf("thread made by main: %s\n", (char *)out);
	in_t1(lib_seteuid0);
	step("t1 seteuid(0)", rc);
	in_t1(raw_setfsuid);
	step("t1 raw setfsuid(9)", rc);
	rc = setfsuid(8);
	in_t1(nothing);
	step("main setfsuid(8)", rc);
	in_t1(lib_setgroups);
	step("t1 setgroups(40,41)", rc);
	in_t1(raw_setresuid);
	step("t1 raw setresuid(1,1,0)", rc);
	rc = syscall(SYS_setresuid, 1, 1, 0);
	in_t1(nothing);
	step("main raw setresuid(1,1,0)", rc);
	in_t1(lib_setuid);
	step("t1 setuid(1)", rc);
	rc = syscall(SYS_setuid, 0);
	step("main raw setuid(0)", rc);
	job = NULL;
	sem_post(&go);
	pthread_join(t1, NULL);
	return 0;
}
