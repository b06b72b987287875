#ifndef CW_VERSION_H
#define CW_VERSION_H
/* One version for the Python package and the shims: the VERSION file. */
extern const char cw_version[];
#endif
