#define _GNU_SOURCE
#include "recon_system.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int recon_lower_thread_priority(int increment) {
#ifdef SYS_gettid
    pid_t thread = (pid_t)syscall(SYS_gettid);
    int current = getpriority(PRIO_PROCESS, (id_t)thread);
    return setpriority(PRIO_PROCESS, (id_t)thread, current + increment);
#else
    (void)increment;
    return -1;
#endif
}
