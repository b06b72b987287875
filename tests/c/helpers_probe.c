/*
 * Prints each detection helper a preloaded shim offers, as a program that
 * links none of them sees it: "name=1", "name=0", or "name=absent".
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>

static const char *const helpers[] = {
	"socket_wrapper_enabled", "nss_wrapper_enabled",
	"nss_wrapper_hosts_enabled", "nss_wrapper_shadow_enabled",
	"uid_wrapper_enabled",
};

int main(void)
{
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		bool (*fn)(void) = (bool (*)(void))dlsym(RTLD_DEFAULT, helpers[i]);

		if (fn == NULL)
			printf("%s=absent\n", helpers[i]);
		else
			printf("%s=%d\n", helpers[i], fn() ? 1 : 0);
	}
	return 0;
}
