/* A path walk of two components and an attribute fetch. */
#include "bench.h"

#include <sys/stat.h>

static int op(void) {
    struct stat st;
    return stat("/bin/busybox", &st) != 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "stat", 100000, op); }
