/*
 * Reading the clock as programs do, through libc: Linux and jVisor serve it in the process from
 * the vDSO without a system call; a runtime without one traps every read.
 */
#include "bench.h"

#include <time.h>

static int op(void) {
    struct timespec t;
    return clock_gettime(CLOCK_MONOTONIC, &t) != 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "clock_gettime", 1000000, op); }
