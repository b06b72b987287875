/*
 * The start of every shim: what must happen once, before the first
 * wrapped call is served, wherever that call comes from (the program,
 * another preload's constructor, a signal handler, a second thread).
 */
#ifndef CW_INIT_H
#define CW_INIT_H

#include <stdbool.h>

/*
 * Runs the common set-up (real symbols, log level, fork handlers) and then
 * the shim's own `shim_init`, exactly once.  Cheap after the first call.
 */
void cw_init(void (*shim_init)(void));

/* True once cw_init has finished: used to keep pre-init paths minimal. */
bool cw_initialised(void);

#endif
