/* Run set-id: are the shims loaded, and do they stay out of the way? */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(void)
{
	bool (*sock_on)(void) = (bool (*)(void))dlsym(RTLD_DEFAULT, "socket_wrapper_enabled");
	bool (*uid_on)(void) = (bool (*)(void))dlsym(RTLD_DEFAULT, "uid_wrapper_enabled");

	printf("secure %lu\n", getauxval(AT_SECURE));
	printf("socket %s\n", sock_on ? (sock_on() ? "on" : "loaded-off") : "absent");
	printf("uid %s\n", uid_on ? (uid_on() ? "on" : "loaded-off") : "absent");
	printf("euid %u\n", (unsigned)geteuid());
	return 0;
}
