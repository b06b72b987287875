/* Log levels from the environment, the line format, and long messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "stderr_capture.h"

static void log_some(void)
{
	CW_LOG(CW_ERROR, "shown %d", 1);
	CW_LOG(CW_WARN, "shown %d", 2);
	CW_LOG(CW_DEBUG, "hidden %d", 3);
}

static char long_text[4000];

static void log_long(void)
{
	cw_log(CW_ERROR, "%s", long_text);
}

int main(void)
{
	char err[8192], want[512];

	/* The level is read once, on first use. */
	setenv("CWTEST_DEBUGLEVEL", "warn", 1);
	capture_stderr(log_some, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "test_log[%d]: cwrap-test error: shown 1\n"
		 "test_log[%d]: cwrap-test warn: shown 2\n",
		 (int)getpid(), (int)getpid());
	CHECK_STR(err, want);
	CHECK(cw_log_level() == CW_WARN);

	/* A message longer than a line is cut, and still ends the line. */
	memset(long_text, 'x', sizeof(long_text) - 1);
	capture_stderr(log_long, err, sizeof(err));
	CHECK(strlen(err) == 1023);
	CHECK(err[strlen(err) - 1] == '\n');
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	return check_summary("test_log");
}
