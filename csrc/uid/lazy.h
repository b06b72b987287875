/* Slots of lazy_symbols.def: REAL() works on them, bound on first use. */
#ifndef UW_LAZY_H
#define UW_LAZY_H
#include "real.h"
#define CW_SYM(n) extern struct cw_real_sym cw_real_##n;
#include "lazy_symbols.def"
#undef CW_SYM
#endif
