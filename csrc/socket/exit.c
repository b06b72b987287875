/*
 * _exit() and _Exit(): a process leaving this way (OpenSSH's cleanup_exit,
 * forked children after their work) runs no destructor, yet the kernel
 * closes its connections: the capture records their end here too.
 *
 * A vfork() or posix_spawn() child runs in its parent's memory and must
 * not touch the parent's state: it is told apart by its pid.
 */
#include "calls.h"
#include "pcap.h"

static void sw_exiting(void)
{
	if (__builtin_expect(sw_pcap_on, 0) && sw_pcap_is_own_process())
		sw_pcap_tcp_exit();
}

CW_EXPORT void _exit(int status)
{
	sw_exiting();
	REAL(_exit)(status);
	__builtin_unreachable();
}

CW_EXPORT void _Exit(int status)
{
	sw_exiting();
	REAL(_Exit)(status);
	__builtin_unreachable();
}
