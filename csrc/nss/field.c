/*
 * Cutting a line into fields and tokens, 8 bytes at a time.
 *
 * Loading a 100,000-line file is mostly finding separators and reading
 * numbers: done a byte at a time (or with a call to strchrnul or
 * strtoul per field) that was most of the parsing.  These helpers load a
 * word of 8 bytes and find the byte they look for with bit tricks, so
 * they read up to 7 bytes past the NUL that ends a line: a table's text
 * is followed by NW_TEXT_PAD NULs for them.  On a big-endian machine they
 * go a byte at a time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

#define NW_ONES 0x0101010101010101u
#define NW_TOPS (NW_ONES * 0x80)
#define NW_WORDS (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static uint64_t nw_word(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* The offset of the first byte a mask marks (its lowest set bit). */
static unsigned nw_first(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask) / 8;
}

/*
 * The top bit of each zero byte of `w`.  A borrow can mark a byte after
 * the first zero byte too, never one before it: the first mark is exact.
 */
static uint64_t nw_zero_bytes(uint64_t w)
{
	return (w - NW_ONES) & ~w & NW_TOPS;
}

char *nw_field_end(char *p, char term)
{
	if (!NW_WORDS)
		return strchrnul(p, term);
	for (;; p += 8) {
		uint64_t w = nw_word(p);
		uint64_t hits = nw_zero_bytes(w) | nw_zero_bytes(w ^ NW_ONES * (unsigned char)term);

		if (hits != 0)
			return p + nw_first(hits);
	}
}

char *nw_token_end(char *p)
{
	while (NW_WORDS) {
		uint64_t w = nw_word(p);
		/* The bytes at most ' ' or past 0x7f (first mark exact, as above). */
		uint64_t maybe = ((w - NW_ONES * 0x21) | w) & NW_TOPS;

		if (maybe == 0) {
			p += 8;
			continue;
		}
		p += nw_first(maybe);
		if (*p == '\0' || isspace((unsigned char)*p))
			return p;
		p++;
	}
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	return p;
}

char *nw_string_field(char **p, char term)
{
	char *start = *p, *q = nw_field_end(start, term);

	if (*q != '\0')
		*q++ = '\0';
	*p = q;
	return start;
}

/* How many of the bytes of `w` are digits before the first that is not (8: all). */
static unsigned nw_digit_count(uint64_t w)
{
	/* A digit is 0x30-0x39: high half 3, and still 3 once 6 is added. */
	uint64_t off = ((w & NW_ONES * 0xf0) ^ NW_ONES * 0x30) |
		       (((w + NW_ONES * 0x06) & NW_ONES * 0xf0) ^ NW_ONES * 0x30);

	return off == 0 ? 8 : nw_first(off);
}

/*
 * The value of the first `n` (1 to 8) bytes of `w`, digits: moved to the
 * top (zeros before them), then neighbours combined pairwise: tens and
 * units, hundreds, then ten-thousands.
 */
static uint64_t nw_digits_value(uint64_t w, unsigned n)
{
	w = (w - NW_ONES * '0') << 8 * (8 - n);
	w = (w * (10 * 256 + 1)) >> 8 & 0x00ff00ff00ff00ffu;
	w = (w * (100 * 65536 + 1)) >> 16 & 0x0000ffff0000ffffu;
	return (w * ((10000ull << 32) + 1)) >> 32;
}

/*
 * Plain digits, the usual number field, read without strtoul's locale and
 * sign handling.  A value past UINT32_MAX is kept past it (strtoul's would
 * be too): the field is refused either way.
 */
static char *nw_digits(char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (NW_WORDS) {
		uint64_t w = nw_word(s);
		unsigned n = nw_digit_count(w);

		if (n < 8) {
			*out = nw_digits_value(w, n);
			return s + n;
		}
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > UINT32_MAX)
			v = (unsigned long)UINT32_MAX + 1;
	}
	*out = v;
	return s;
}

bool nw_number_field(char **p, char term, unsigned long *out, bool *empty)
{
	char *start = *p, *end;

	if (*start >= '0' && *start <= '9') {
		end = nw_digits(start, out);
	} else {
		errno = 0;
		*out = strtoul(start, &end, 10);
	}
	if (end == start) {
		*empty = true;
		return false;
	}
	*empty = false;
	if (*out > UINT32_MAX)
		return false;   /* glibc: ids are 32-bit; -1 and the like are refused */
	if (*end == term)
		end++;
	else if (*end != '\0')
		return false;
	*p = end;
	return true;
}
