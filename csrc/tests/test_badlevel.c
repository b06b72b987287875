/* A bad debug level is named once and falls back to "error". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "stderr_capture.h"

static void log_twice(void)
{
	CW_LOG(CW_WARN, "hidden");
	CW_LOG(CW_ERROR, "shown");
}

int main(void)
{
	char err[4096], want[512];

	setenv("CWTEST_DEBUGLEVEL", "loud", 1);
	capture_stderr(log_twice, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "test_badlevel[%d]: cwrap-test error: CWTEST_DEBUGLEVEL=\"loud\" "
		 "is not a debug level: expected 0-3 or error, warn, debug, trace; "
		 "using error\n"
		 "test_badlevel[%d]: cwrap-test error: shown\n",
		 (int)getpid(), (int)getpid());
	CHECK_STR(err, want);
	return check_summary("test_badlevel");
}
