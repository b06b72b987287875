/*
 * Preloaded after the NSS shim: catches setgroups() (as the uid shim
 * does) and prints the list it is given, to show that initgroups()
 * reaches whoever defines setgroups.
 */
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

int setgroups(size_t n, const gid_t *list)
{
	fprintf(stderr, "setgroups(%zu):", n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %u", list[i]);
	fprintf(stderr, "\n");
	return 0;
}
