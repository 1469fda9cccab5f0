/*
 * The timing loop shared by the syscall microbenchmarks.
 *
 * A benchmark is one operation, op(), run ITERATIONS times (argv[1]) after a warm-up of a tenth
 * of that; it prints "NAME NS_PER_OP" on one line, the mean over the timed iterations, which
 * run.sh collects across repeated runs to take the median.
 */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Runs op (which returns nonzero on failure) and prints the result; the exit status says whether every op succeeded. */
static inline int bench_main(int argc, char **argv, const char *name, long default_iterations, int (*op)(void)) {
    long iterations = argc > 1 ? atol(argv[1]) : default_iterations;
    if (iterations <= 0) {
        fprintf(stderr, "%s: iterations must be positive\n", name);
        return 2;
    }
    for (long i = 0; i < iterations / 10; i++)
        if (op()) {
            fprintf(stderr, "%s: operation failed during warm-up\n", name);
            return 1;
        }
    long long start = now_ns();
    for (long i = 0; i < iterations; i++)
        if (op()) {
            fprintf(stderr, "%s: operation failed\n", name);
            return 1;
        }
    long long elapsed = now_ns() - start;
    printf("%s %.1f\n", name, (double)elapsed / iterations);
    return 0;
}

#endif
