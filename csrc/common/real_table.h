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

/*
 * Binding every symbol at load costs a dlsym() each for every program
 * started, most of which never call them; so only the plumbing's own and
 * a shim's CW_EAGER_SYMBOLS list (the calls a signal handler is likely to
 * make, since dlsym() takes the loader's lock) are bound here, the rest
 * on first use.
 */
void cw_real_bind_all(void)
{
#define CW_SYM(n) (void)cw_real_get(&cw_real_##n);
#include "common_symbols.def"
#ifdef CW_EAGER_SYMBOLS
#include CW_EAGER_SYMBOLS
#endif
#undef CW_SYM
}
#endif
