#ifndef RECON_SYSTEM_H
#define RECON_SYSTEM_H

/* The CSV scanner's byte search (inline, so Swift inlines it). */
#include "recon_scan.h"

/* System calls Swift cannot reach directly (variadic `syscall`). */

/* Lowers the calling thread's scheduling priority by `increment` nice levels (Linux: per thread). Returns 0 or -1. */
int recon_lower_thread_priority(int increment);

/* Limits glibc's allocator to one arena (M_ARENA_MAX); returns 1 when set, 0 where unsupported. */
int recon_use_single_malloc_arena(void);

/* Starts writing `length` bytes of `fd` from `offset` to the disk without waiting (Linux `sync_file_range` with
   SYNC_FILE_RANGE_WRITE): a hint, so that a later fsync finds little left to write. Returns 0, or -1 where it failed
   or is not supported (the fsync still makes the file durable either way). */
int recon_start_writeback(int fd, long long offset, long long length);

#endif
