/* Mapping 64 KiB of anonymous memory, faulting in its first page, and unmapping it. */
#include "bench.h"

#include <sys/mman.h>

static int op(void) {
    volatile char *p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    p[0] = 1;
    return munmap((void *)p, 64 * 1024) != 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "mmap_munmap", 50000, op); }
