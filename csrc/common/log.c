#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "shim.h"

#define CW_SYMBOLS "empty_symbols.def"
#include "real_table.h"

extern char *program_invocation_short_name;

static _Atomic int cw_level = -1;
static _Thread_local int cw_in_log;

static const char *const cw_level_names[] = { "error", "warn", "debug", "trace" };

int cw_log_parse_level(const char *text)
{
	unsigned long n;

	if (cw_parse_ulong(text, 0, 3, &n))
		return (int)n;
	for (int i = 0; i < 4; i++)
		if (strcasecmp(text, cw_level_names[i]) == 0)
			return i;
	if (strcasecmp(text, "warning") == 0)
		return CW_WARN;
	return -1;
}

static int cw_read_level(void)
{
	const char *var = cw_env_name("DEBUGLEVEL");
	const char *text = getenv(var);
	int level;

	if (text == NULL || *text == '\0')
		return CW_ERROR;
	level = cw_log_parse_level(text);
	if (level >= 0)
		return level;
	atomic_store(&cw_level, CW_ERROR);
	cw_log(CW_ERROR, "%s=\"%s\" is not a debug level: expected 0-3 or "
	       "error, warn, debug, trace; using error", var, text);
	return CW_ERROR;
}

int cw_log_level(void)
{
	int level = atomic_load_explicit(&cw_level, memory_order_relaxed);

	if (level < 0) {
		level = cw_read_level();
		atomic_store_explicit(&cw_level, level, memory_order_relaxed);
	}
	return level;
}

void cw_log(enum cw_level level, const char *fmt, ...)
{
	char line[1024];
	int saved_errno = errno;
	size_t len;
	va_list ap;
	int n;

	/* A wrapped write() that logs must not log again. */
	if (cw_in_log)
		return;
	cw_in_log = 1;
	n = snprintf(line, sizeof(line), "%s[%d]: cwrap-%s %s: ",
		     program_invocation_short_name,
		     (int)REAL(getpid)(), cw_shim.name, cw_level_names[level]);
	len = n < 0 ? 0 : (size_t)n;
	va_start(ap, fmt);
	if (len < sizeof(line))
		vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	len = strlen(line);
	if (len == sizeof(line) - 1)
		len--;          /* cut: make room for the newline */
	line[len++] = '\n';
	(void)!REAL(write)(STDERR_FILENO, line, len);
	cw_in_log = 0;
	errno = saved_errno;
}
