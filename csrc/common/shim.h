/*
 * What every shim tells the shared plumbing about itself.
 *
 * The common objects are linked into each of the three libraries; each
 * library defines exactly one `cw_shim`, so logging and environment parsing
 * know which variables and which name to use without any global registry.
 */
#ifndef CW_SHIM_H
#define CW_SHIM_H

#define CW_EXPORT __attribute__((visibility("default")))

struct cw_mutex;

struct cw_shim {
	const char *name;        /* "socket", "nss", "uid": used in log lines */
	const char *env_prefix;  /* "SOCKET_WRAPPER": prefix of its variables */
	struct cw_mutex *const *locks; /* NULL-terminated; taken around fork() */
};

extern const struct cw_shim cw_shim;

#endif
