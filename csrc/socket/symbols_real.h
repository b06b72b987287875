/* REAL() slots of the socket shim. */
#ifndef SW_SYMBOLS_REAL_H
#define SW_SYMBOLS_REAL_H
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#define CW_SYMBOLS "symbols.def"
#include "real_table.h"
#endif
