#include "version.h"

#ifndef CWRAP_VERSION
#error "CWRAP_VERSION must be defined by the build (from the VERSION file)"
#endif

const char cw_version[] = CWRAP_VERSION;
