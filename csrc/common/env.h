/*
 * Strict reading of environment variables.
 *
 * A value that is present but wrong is never silently replaced: the caller
 * gets false and one log line names the variable, the value and what would
 * have been accepted.  Each shim decides what a bad value means for it
 * (the socket shim fails closed, a debug level falls back to "error").
 */
#ifndef CW_ENV_H
#define CW_ENV_H

#include <stdbool.h>
#include <stdlib.h>

/* "<PREFIX>_<suffix>" for the calling shim, in a thread-local buffer. */
const char *cw_env_name(const char *suffix);

/* Whole decimal number in [min, max], nothing else; no logging. */
bool cw_parse_ulong(const char *text, unsigned long min, unsigned long max,
		    unsigned long *out);

enum cw_env_result { CW_ENV_UNSET, CW_ENV_OK, CW_ENV_BAD };

/* Unset or empty: CW_ENV_UNSET and *out untouched.  Bad: logged. */
enum cw_env_result cw_env_ulong(const char *var, unsigned long min,
				unsigned long max, unsigned long *out);

/*
 * A switch written as upstream cwrap writes it: "1" on, "0" or empty off.
 * Anything else is logged and treated as off.
 */
bool cw_env_switch(const char *var);

/* True when the program runs with AT_SECURE (setuid, setgid, caps). */
bool cw_secure_exec(void);

#endif
