/*
 * Every exec and posix_spawn entry point passes the calling thread's fake
 * identity to the new image in UID_WRAPPER_HANDOFF (see handoff.c).
 *
 * These run in vfork children (Python's subprocess, posix_spawn users), so
 * they allocate only with mmap, take no lock and touch no shared state
 * but the seqlock'ed record they read.
 */
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

extern char **environ;

struct uw_env {
	char **envp;       /* what to pass on */
	void *map;         /* mapping to release, or NULL */
	size_t map_size;
};

/* envp without any old hand-off, plus the current one.  On failure the
 * original envp is passed on unchanged (the child starts as configured). */
static void env_build(struct uw_env *out, char *const envp[], bool resetids)
{
	static const char var[] = UW_HANDOFF_VAR "=";
	size_t n = 0, j = 0, ptrs;
	char *text;

	out->envp = (char **)envp;
	out->map = NULL;
	if (!UW_READY())
		return;
	while (envp && envp[n])
		n++;
	ptrs = ((n + 2) * sizeof(char *) + 15) & ~(size_t)15;
	out->map_size = ptrs + UW_HANDOFF_MAX;
	out->map = mmap(NULL, out->map_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (out->map == MAP_FAILED) {
		out->map = NULL;
		return;
	}
	text = (char *)out->map + ptrs;
	if (uw_handoff_format(uw_view(), resetids, text, UW_HANDOFF_MAX) == 0) {
		munmap(out->map, out->map_size);
		out->map = NULL;
		return;
	}
	out->envp = out->map;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], var, sizeof(var) - 1) != 0)
			out->envp[j++] = envp[i];
	out->envp[j++] = text;
	out->envp[j] = NULL;
}

static void env_done(struct uw_env *env)
{
	int saved = errno;

	if (env->map)
		munmap(env->map, env->map_size);
	errno = saved;
}

CW_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	struct uw_env env;

	env_build(&env, envp, false);
	REAL(execve)(path, argv, env.envp);
	env_done(&env);
	return -1;
}

CW_EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

CW_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct uw_env env;

	env_build(&env, envp, false);
	REAL(execvpe)(file, argv, env.envp);
	env_done(&env);
	return -1;
}

CW_EXPORT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

CW_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct uw_env env;

	env_build(&env, envp, false);
	REAL(fexecve)(fd, argv, env.envp);
	env_done(&env);
	return -1;
}

CW_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
		       char *const envp[], int flags)
{
	struct uw_env env;

	env_build(&env, envp, false);
	REAL(execveat)(dirfd, path, argv, env.envp, flags);
	env_done(&env);
	return -1;
}

/* The execl family: the arguments into an array on the stack. */
#define COLLECT_ARGS(argv, arg0, ap, last)                                  \
	size_t argc_ = 1;                                                   \
	va_start(ap, last);                                                 \
	while (va_arg(ap, char *) != NULL)                                  \
		argc_++;                                                    \
	va_end(ap);                                                         \
	char *argv[argc_ + 1];                                              \
	argv[0] = (char *)(arg0);                                           \
	va_start(ap, last);                                                 \
	for (size_t i_ = 1; i_ <= argc_; i_++)                              \
		argv[i_] = va_arg(ap, char *)

CW_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;

	COLLECT_ARGS(argv, arg, ap, arg);
	va_end(ap);
	return execve(path, argv, environ);
}

CW_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;

	COLLECT_ARGS(argv, arg, ap, arg);
	va_end(ap);
	return execvpe(file, argv, environ);
}

CW_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;

	COLLECT_ARGS(argv, arg, ap, arg);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, argv, envp);
}

static bool resets_ids(const posix_spawnattr_t *attr)
{
	short flags = 0;

	return attr && posix_spawnattr_getflags(attr, &flags) == 0 &&
	       (flags & POSIX_SPAWN_RESETIDS);
}

CW_EXPORT int posix_spawn(pid_t *pid, const char *path,
			  const posix_spawn_file_actions_t *actions,
			  const posix_spawnattr_t *attr, char *const argv[],
			  char *const envp[])
{
	struct uw_env env;
	int rc;

	env_build(&env, envp, resets_ids(attr));
	rc = REAL(posix_spawn)(pid, path, actions, attr, argv, env.envp);
	env_done(&env);
	return rc;
}

CW_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			   const posix_spawn_file_actions_t *actions,
			   const posix_spawnattr_t *attr, char *const argv[],
			   char *const envp[])
{
	struct uw_env env;
	int rc;

	env_build(&env, envp, resets_ids(attr));
	rc = REAL(posix_spawnp)(pid, file, actions, attr, argv, env.envp);
	env_done(&env);
	return rc;
}
