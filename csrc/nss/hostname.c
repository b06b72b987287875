/*
 * The host name: gethostname() and the node name of uname() answer
 * NSS_WRAPPER_HOSTNAME when it is set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "env.h"
#include "init.h"
#include "nw.h"
#include "shim.h"

void nw_init(void);

const char *nw_hostname(void)
{
	const char *name = getenv("NSS_WRAPPER_HOSTNAME");

	if (name == NULL || *name == '\0' || cw_secure_exec())
		return NULL;
	return name;
}

/* As glibc: ENAMETOOLONG when the name and its NUL do not fit. */
CW_EXPORT int gethostname(char *name, size_t len)
{
	const char *fake;
	size_t n;

	cw_init(nw_init);
	fake = nw_hostname();
	if (fake == NULL)
		return REAL(gethostname)(name, len);
	n = strlen(fake);
	if (n >= sizeof(((struct utsname *)0)->nodename))
		n = sizeof(((struct utsname *)0)->nodename) - 1;
	if (n + 1 > len) {
		if (len > 0)
			memcpy(name, fake, len);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, fake, n);
	name[n] = '\0';
	return 0;
}

CW_EXPORT int uname(struct utsname *buf)
{
	const char *fake;
	int rc;

	cw_init(nw_init);
	rc = REAL(uname)(buf);
	fake = nw_hostname();
	if (rc == 0 && fake != NULL) {
		memset(buf->nodename, 0, sizeof(buf->nodename));
		strncpy(buf->nodename, fake, sizeof(buf->nodename) - 1);
	}
	return rc;
}
