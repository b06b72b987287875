/*
 * Binding to the real functions: concurrent first use from many threads,
 * use from a signal handler, and a function libc does not have.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "real.h"

#define CW_SYMBOLS "test_symbols.def"
#include "real_table.h"

int cwrap_no_such_function(int);

static void *_Atomic seen[16];

static void *resolve_close(void *arg)
{
	seen[(long)arg] = cw_real_get(&cw_real_close);
	return NULL;
}

static volatile sig_atomic_t handler_result = -2;

static void on_signal(int sig)
{
	int fds[2];

	(void)sig;
	if (pipe(fds) == 0) {
		REAL(close)(fds[1]);
		handler_result = REAL(close)(fds[0]);
	}
}

int main(void)
{
	pthread_t threads[16];
	int rc;

	for (long i = 0; i < 16; i++)
		pthread_create(&threads[i], NULL, resolve_close, (void *)i);
	for (int i = 0; i < 16; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < 16; i++)
		CHECK(seen[i] == (void *)close);

	cw_real_bind_all();
	signal(SIGUSR1, on_signal);
	raise(SIGUSR1);
	CHECK(handler_result == 0);

	errno = 0;
	rc = REAL(cwrap_no_such_function)(1);
	CHECK(rc == -1 && errno == ENOSYS);
	return check_summary("test_real");
}
