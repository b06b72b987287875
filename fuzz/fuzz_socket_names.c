/*
 * The socket shim's names: a file name read back from the directory or
 * from a peer's AF_UNIX address (sw_sun_path, sw_path_endpoint).
 *
 * Input: the bytes of a sockaddr_un's sun_path as getsockname() or
 * accept() could return them (any length, abstract or not).  Properties:
 * no crash or sanitizer report; the name is always NUL-terminated within
 * the buffer; an accepted endpoint has a valid letter, a fake host 1..64
 * and a port below 65536, and formats back to exactly the same path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "addr.h"

static struct sw_config fuzz_config = {
	.state = SW_ON, .dir = "/tmp/cwrap-net", .ipv4_net = 0x7f000000u,
	.mtu = 1500, .max_sockets = 65535,
};

const struct sw_config *sw_config(void)
{
	return &fuzz_config;
}

unsigned sw_default_iface(void)
{
	return 1;
}

static void check_path(const char *path)
{
	struct sw_endpoint ep;
	char again[SW_SUN_PATH];

	if (!sw_path_endpoint(path, &ep))
		return;
	if (!strchr("TUXY", ep.letter) || ep.letter == '\0' ||
	    ep.iface < 1 || ep.iface > SW_MAX_IFACE || ep.port > 0xffff)
		abort();
	if (!sw_endpoint_path(&ep, again, sizeof(again)) || strcmp(again, path) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un *sun = malloc(sizeof(*sun));
	char path[SW_SUN_PATH], small[9];
	size_t n = size < sizeof(sun->sun_path) ? size : sizeof(sun->sun_path);

	/* As the kernel fills it: family, then up to 108 bytes. */
	memset(sun, 0xAA, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, data, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				    (size > sizeof(sun->sun_path) ? size : n));

	sw_sun_path(sun, len, path, sizeof(path));
	if (memchr(path, '\0', sizeof(path)) == NULL)
		abort();
	check_path(path);
	sw_sun_path(sun, len, small, sizeof(small));    /* a short buffer */
	if (memchr(small, '\0', sizeof(small)) == NULL)
		abort();
	sw_sun_path(sun, (socklen_t)offsetof(struct sockaddr_un, sun_path), path, sizeof(path));
	if (path[0] != '\0')
		abort();

	/* The raw bytes as a path, with and without the directory. */
	char *raw = malloc(size + 1);

	memcpy(raw, data, size);
	raw[size] = '\0';
	check_path(raw);
	if (size < 64) {
		char joined[128];

		memcpy(joined, "/tmp/cwrap-net/", 15);
		memcpy(joined + 15, raw, size + 1);
		check_path(joined);
	}
	free(raw);
	free(sun);
	return 0;
}
