#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>

#include "config.h"
#include "env.h"
#include "log.h"

static struct sw_config sw_cfg;
static pthread_once_t sw_cfg_once = PTHREAD_ONCE_INIT;

static bool sw_dir_fits(const char *path)
{
	return strlen(path) <= SW_DIR_MAX;
}

/* Picks the directory to use: its real path, or the original spelling when
 * only that fits and SOCKET_WRAPPER_DIR_ALLOW_ORIG allows it. */
static enum sw_state sw_choose_dir(const char *var, const char *dir)
{
	char resolved[PATH_MAX];
	struct stat st;

	if (realpath(dir, resolved) == NULL) {
		cw_log(CW_ERROR, "%s=\"%s\": %s; inet sockets will fail until it "
		       "names an existing directory", var, dir, strerror(errno));
		return SW_BROKEN;
	}
	if (stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cw_log(CW_ERROR, "%s=\"%s\" is not a directory; inet sockets will "
		       "fail", var, dir);
		return SW_BROKEN;
	}
	/* Only its owner may create or remove files there: another user who
	 * could would join, impersonate or spy on the fake network. */
	if (st.st_mode & S_IWOTH) {
		cw_log(CW_ERROR, "%s=\"%s\" is writable by every user (mode %04o): "
		       "they could plant or remove sockets there; inet sockets will "
		       "fail (use a directory only you can write, e.g. mkdir -m 700)",
		       var, dir, (unsigned)(st.st_mode & 07777));
		return SW_BROKEN;
	}
	/* Root is trusted (it could do anything anyway). */
	if (st.st_uid != (uid_t)getauxval(AT_EUID) && st.st_uid != 0 &&
	    getauxval(AT_EUID) != 0) {
		cw_log(CW_ERROR, "%s=\"%s\" belongs to uid %u, not to this user "
		       "(%lu); inet sockets will fail (use a directory of your own)",
		       var, dir, (unsigned)st.st_uid, getauxval(AT_EUID));
		return SW_BROKEN;
	}
	sw_cfg.dir_uid = st.st_uid;
	if (sw_dir_fits(resolved)) {
		strcpy(sw_cfg.dir, resolved);
		return SW_ON;
	}
	if (getenv("SOCKET_WRAPPER_DIR_ALLOW_ORIG") && sw_dir_fits(dir)) {
		strcpy(sw_cfg.dir, dir);
		return SW_ON;
	}
	cw_log(CW_ERROR, "%s=\"%s\" is too long: a socket path must fit in 108 "
	       "bytes, so the directory may have at most %zu; inet sockets will "
	       "fail (choose a shorter directory, e.g. under /tmp)",
	       var, resolved, (size_t)SW_DIR_MAX);
	return SW_BROKEN;
}

static bool sw_read_network(void)
{
	const char *var = "SOCKET_WRAPPER_IPV4_NETWORK";
	const char *net = getenv(var);

	sw_cfg.ipv4_net = 0x7f000000u;
	if (net == NULL || *net == '\0' || strcmp(net, "127.0.0.0") == 0)
		return true;
	if (strcmp(net, "10.53.57.0") == 0) {
		sw_cfg.ipv4_net = 0x0a353900u;
		return true;
	}
	cw_log(CW_ERROR, "%s=\"%s\" is not valid: expected 127.0.0.0 or "
	       "10.53.57.0; inet sockets will fail", var, net);
	return false;
}

static bool sw_read_numbers(void)
{
	bool ok = true;

	sw_cfg.mtu = 1500;
	sw_cfg.max_sockets = 65535;
	if (cw_env_ulong("SOCKET_WRAPPER_MTU", 512, 32768, &sw_cfg.mtu) == CW_ENV_BAD)
		ok = false;
	if (cw_env_ulong("SOCKET_WRAPPER_MAX_SOCKETS", 0, 262140,
			 &sw_cfg.max_sockets) == CW_ENV_BAD)
		ok = false;
	if (sw_cfg.max_sockets == 0)
		sw_cfg.max_sockets = 65535;
	return ok;
}

static void sw_read_config(void)
{
	const char *var = "SOCKET_WRAPPER_DIR";
	const char *dir = getenv(var);

	if (cw_secure_exec() || dir == NULL || *dir == '\0') {
		sw_cfg.state = SW_OFF;
		return;
	}
	sw_cfg.state = sw_choose_dir(var, dir);
	/* Every bad value is reported, then the shim fails closed. */
	if (!sw_read_network() | !sw_read_numbers() | (sw_default_iface() == 0))
		sw_cfg.state = SW_BROKEN;
}

const struct sw_config *sw_config(void)
{
	pthread_once(&sw_cfg_once, sw_read_config);
	return &sw_cfg;
}

unsigned sw_default_iface(void)
{
	static _Atomic int reported;
	const char *var = "SOCKET_WRAPPER_DEFAULT_IFACE";
	const char *text = getenv(var);
	unsigned long iface;

	if (text == NULL || *text == '\0')
		return 1;
	if (cw_parse_ulong(text, 1, SW_MAX_IFACE, &iface))
		return (unsigned)iface;
	if (!atomic_exchange(&reported, 1))
		cw_log(CW_ERROR, "%s=\"%s\" is not valid: expected a whole number "
		       "from 1 to %d; inet sockets will fail", var, text, SW_MAX_IFACE);
	return 0;
}
