/* Strict parsing of environment values and the messages bad ones produce. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "env.h"
#include "log.h"
#include "stderr_capture.h"

static void test_parse_ulong(void)
{
	unsigned long v = 99;

	CHECK(cw_parse_ulong("0", 0, 3, &v) && v == 0);
	CHECK(cw_parse_ulong("3", 0, 3, &v) && v == 3);
	CHECK(!cw_parse_ulong("4", 0, 3, &v));
	CHECK(!cw_parse_ulong("9", 0, 3, &v));
	CHECK(!cw_parse_ulong("", 0, 3, &v));
	CHECK(!cw_parse_ulong("-1", 0, 3, &v));
	CHECK(!cw_parse_ulong(" 1", 0, 3, &v));
	CHECK(!cw_parse_ulong("1 ", 0, 3, &v));
	CHECK(!cw_parse_ulong("0x1", 0, 3, &v));
	CHECK(!cw_parse_ulong("511", 512, 32768, &v));
	CHECK(cw_parse_ulong("32768", 512, 32768, &v) && v == 32768);
	CHECK(!cw_parse_ulong("32769", 512, 32768, &v));
	CHECK(cw_parse_ulong("18446744073709551615", 0, (unsigned long)-1, &v) &&
	      v == (unsigned long)-1);
	CHECK(!cw_parse_ulong("18446744073709551616", 0, (unsigned long)-1, &v));
	CHECK(!cw_parse_ulong("99999999999999999999999", 0, (unsigned long)-1, &v));
	CHECK(v == (unsigned long)-1);  /* failures leave *out alone */
}

static void test_levels(void)
{
	CHECK(cw_log_parse_level("0") == CW_ERROR);
	CHECK(cw_log_parse_level("3") == CW_TRACE);
	CHECK(cw_log_parse_level("4") == -1);
	CHECK(cw_log_parse_level("error") == CW_ERROR);
	CHECK(cw_log_parse_level("WARN") == CW_WARN);
	CHECK(cw_log_parse_level("warning") == CW_WARN);
	CHECK(cw_log_parse_level("Debug") == CW_DEBUG);
	CHECK(cw_log_parse_level("trace") == CW_TRACE);
	CHECK(cw_log_parse_level("loud") == -1);
	CHECK(cw_log_parse_level("") == -1);
}

static unsigned long bad_value;
static enum cw_env_result bad_result;

static void read_bad_mtu(void)
{
	bad_result = cw_env_ulong("CWTEST_MTU", 512, 32768, &bad_value);
}

static void test_env_ulong(void)
{
	char err[2048], want[512];
	unsigned long v = 7;

	unsetenv("CWTEST_MTU");
	CHECK(cw_env_ulong("CWTEST_MTU", 512, 32768, &v) == CW_ENV_UNSET && v == 7);
	setenv("CWTEST_MTU", "", 1);
	CHECK(cw_env_ulong("CWTEST_MTU", 512, 32768, &v) == CW_ENV_UNSET && v == 7);
	setenv("CWTEST_MTU", "9000", 1);
	CHECK(cw_env_ulong("CWTEST_MTU", 512, 32768, &v) == CW_ENV_OK && v == 9000);

	setenv("CWTEST_MTU", "9k", 1);
	bad_value = 5;
	capture_stderr(read_bad_mtu, err, sizeof(err));
	CHECK(bad_result == CW_ENV_BAD && bad_value == 5);
	snprintf(want, sizeof(want), "test_env[%d]: cwrap-test error: "
		 "CWTEST_MTU=\"9k\" is not valid: expected a whole number from "
		 "512 to 32768\n", (int)getpid());
	CHECK_STR(err, want);
}

static int switch_result;

static void read_bad_switch(void)
{
	switch_result = cw_env_switch("CWTEST_SWITCH");
}

static void test_switch(void)
{
	char err[2048];

	unsetenv("CWTEST_SWITCH");
	CHECK(!cw_env_switch("CWTEST_SWITCH"));
	setenv("CWTEST_SWITCH", "1", 1);
	CHECK(cw_env_switch("CWTEST_SWITCH"));
	setenv("CWTEST_SWITCH", "0", 1);
	CHECK(!cw_env_switch("CWTEST_SWITCH"));
	setenv("CWTEST_SWITCH", "yes", 1);
	capture_stderr(read_bad_switch, err, sizeof(err));
	CHECK(switch_result == 0);
	CHECK(strstr(err, "CWTEST_SWITCH=\"yes\" is not valid: expected 1 (on) "
		     "or 0 (off); treating it as off\n") != NULL);
}

static void test_env_name(void)
{
	CHECK_STR(cw_env_name("DEBUGLEVEL"), "CWTEST_DEBUGLEVEL");
}

int main(void)
{
	test_parse_ulong();
	test_levels();
	test_env_ulong();
	test_switch();
	test_env_name();
	return check_summary("test_env");
}
