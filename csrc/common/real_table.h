/*
 * Expands a shim's symbol list (a file of CW_SYM(name) lines, named by
 * CW_SYMBOLS before including this header) into slot declarations.  Define
 * CW_REAL_DEFINE in exactly one file of the shim to also emit the slots and
 * cw_real_bind_all().
 */
#include "real.h"

#define CW_SYM(n) extern struct cw_real_sym cw_real_##n;
#include "common_symbols.def"
#include CW_SYMBOLS
#undef CW_SYM

#ifdef CW_REAL_DEFINE
#define CW_SYM(n) struct cw_real_sym cw_real_##n = { #n, NULL };
#include "common_symbols.def"
#include CW_SYMBOLS
#undef CW_SYM

void cw_real_bind_all(void)
{
#define CW_SYM(n) (void)cw_real_get(&cw_real_##n);
#include "common_symbols.def"
#include CW_SYMBOLS
#undef CW_SYM
}
#endif
