/* A very small test harness: CHECK() counts, check_summary() reports. */
#ifndef CW_CHECK_H
#define CW_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (cond) {                                                \
			check_passed++;                                    \
		} else {                                                   \
			check_failed++;                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",       \
				__FILE__, __LINE__, #cond);                \
		}                                                          \
	} while (0)

#define CHECK_STR(got, want)                                               \
	do {                                                               \
		const char *g_ = (got), *w_ = (want);                      \
		CHECK(g_ != NULL && strcmp(g_, w_) == 0);                  \
		if (g_ == NULL || strcmp(g_, w_) != 0)                     \
			fprintf(stderr, "  got:  %s\n  want: %s\n",         \
				g_ ? g_ : "(null)", w_);                   \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
