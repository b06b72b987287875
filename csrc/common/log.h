/*
 * Logging to stderr, one line per message:
 *
 *     nginx[4242]: cwrap-socket error: SOCKET_WRAPPER_DIR=/x: no such directory
 *
 * The level comes from <PREFIX>_DEBUGLEVEL (0-3 or error/warn/debug/trace),
 * read once.  Errors are always shown: they explain why a call failed.
 */
#ifndef CW_LOG_H
#define CW_LOG_H

enum cw_level { CW_ERROR = 0, CW_WARN = 1, CW_DEBUG = 2, CW_TRACE = 3 };

/* Current threshold; reads the variable on first use. */
int cw_log_level(void);

/* Parses a level as written in *_DEBUGLEVEL; -1 if it is not one. */
int cw_log_parse_level(const char *text);

void cw_log(enum cw_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define CW_LOG(level, ...)                                    \
	do {                                                  \
		if ((int)(level) <= cw_log_level())           \
			cw_log((level), __VA_ARGS__);         \
	} while (0)

#endif
