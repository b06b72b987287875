#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "env.h"
#include "log.h"
#include "shim.h"

const char *cw_env_name(const char *suffix)
{
	static _Thread_local char name[64];

	snprintf(name, sizeof(name), "%s_%s", cw_shim.env_prefix, suffix);
	return name;
}

bool cw_parse_ulong(const char *text, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	unsigned long value = 0;
	const char *p = text;

	if (*p == '\0')
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned long digit = (unsigned long)(*p - '0');

		if (value > max / 10 || digit > max - value * 10)
			return false;   /* would exceed max (or overflow) */
		value = value * 10 + digit;
	}
	if (value < min)
		return false;
	*out = value;
	return true;
}

enum cw_env_result cw_env_ulong(const char *var, unsigned long min,
				unsigned long max, unsigned long *out)
{
	const char *text = getenv(var);

	if (text == NULL || *text == '\0')
		return CW_ENV_UNSET;
	if (cw_parse_ulong(text, min, max, out))
		return CW_ENV_OK;
	cw_log(CW_ERROR, "%s=\"%s\" is not valid: expected a whole number "
	       "from %lu to %lu", var, text, min, max);
	return CW_ENV_BAD;
}

bool cw_env_switch(const char *var)
{
	const char *text = getenv(var);

	if (text == NULL || *text == '\0' || strcmp(text, "0") == 0)
		return false;
	if (strcmp(text, "1") == 0)
		return true;
	cw_log(CW_ERROR, "%s=\"%s\" is not valid: expected 1 (on) or 0 (off); "
	       "treating it as off", var, text);
	return false;
}

bool cw_secure_exec(void)
{
	return getauxval(AT_SECURE) != 0;
}
