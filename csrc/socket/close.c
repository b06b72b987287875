/* close() and close_range(): the descriptor's entry is forgotten first, so
 * a socket created on the same number by another thread keeps its own. */
#include <linux/close_range.h>

#include "calls.h"
#include "pcap.h"

CW_EXPORT int close(int fd)
{
	if (__builtin_expect(sw_pcap_on, 0))
		sw_pcap_close_fd(fd);
	sw_fd_clear(fd);
	return REAL(close)(fd);
}

CW_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int rc = REAL(close_range)(first, last, flags);

	if (rc == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
		size_t end = last < sw_fdtable_len ? last : sw_fdtable_len - 1;

		if (sw_fdtable_len > 0)
			for (size_t fd = first; fd <= end; fd++)
				sw_fd_clear((int)fd);
	}
	return rc;
}
