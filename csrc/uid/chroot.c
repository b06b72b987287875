/*
 * chroot() for a fake root.
 *
 * The kernel refuses chroot() to a process without CAP_SYS_CHROOT, so a
 * daemon that confines itself (sshd's privilege separation) would stop
 * there.  For a fake root (euid 0) that is really unprivileged, chroot()
 * checks the path as the kernel would (ENOENT, ENOTDIR, ...) and then
 * succeeds without changing the root directory.  The process keeps seeing
 * the whole file system: paths it opens after "chroot" are not confined.
 * UID_WRAPPER_CHROOT=0 passes every call to the kernel instead.  A fake
 * non-root gets EPERM, as from the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "shim.h"
#include "uw.h"

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#include "lazy.h"

CW_EXPORT int chroot(const char *path)
{
	struct stat st;

	if (!UW_READY() || !uw_chroot_noop() || REAL(geteuid)() == 0)
		return REAL(chroot)(path);
	/* The kernel looks the path up (and needs search permission on it)
	 * before it checks the capability. */
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (uw_get_uid(UW_E) != 0) {
		errno = EPERM;
		return -1;
	}
	CW_LOG(CW_DEBUG, "chroot(\"%s\") by a fake root: succeeds without "
	       "effect (UID_WRAPPER_CHROOT=0 to pass it to the kernel)", path);
	return 0;
}
