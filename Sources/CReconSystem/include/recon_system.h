#ifndef RECON_SYSTEM_H
#define RECON_SYSTEM_H

/* The CSV scanner's byte search (inline, so Swift inlines it). */
#include "recon_scan.h"

/* System calls Swift cannot reach directly (variadic `syscall`). */

/* Lowers the calling thread's scheduling priority by `increment` nice levels (Linux: per thread). Returns 0 or -1. */
int recon_lower_thread_priority(int increment);

/* Limits glibc's allocator to one arena (M_ARENA_MAX); returns 1 when set, 0 where unsupported. */
int recon_use_single_malloc_arena(void);

#endif
