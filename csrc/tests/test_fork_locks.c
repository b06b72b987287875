/*
 * A fork while another thread holds a shim lock: the child must get a
 * usable lock, not one held forever by a thread it does not have.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lock.h"

extern struct cw_mutex test_lock;

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;
static int held;

static void *hold_briefly(void *arg)
{
	(void)arg;
	cw_lock(&test_lock);
	pthread_mutex_lock(&gate);
	held = 1;
	pthread_cond_signal(&held_cond);
	pthread_mutex_unlock(&gate);
	usleep(100 * 1000);
	cw_unlock(&test_lock);
	return NULL;
}

int main(void)
{
	pthread_t t;
	int status = -1;
	pid_t pid;

	cw_lock_install_fork_handlers();
	pthread_create(&t, NULL, hold_briefly, NULL);
	pthread_mutex_lock(&gate);
	while (!held)
		pthread_cond_wait(&held_cond, &gate);
	pthread_mutex_unlock(&gate);

	pid = fork();   /* waits in prepare until the thread lets go */
	if (pid == 0) {
		alarm(5);
		cw_lock(&test_lock);
		cw_unlock(&test_lock);
		_exit(0);
	}
	CHECK(pid > 0);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cw_lock(&test_lock);
	cw_unlock(&test_lock);
	pthread_join(t, NULL);
	return check_summary("test_fork_locks");
}
