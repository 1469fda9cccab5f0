/* stat(2) of a rootfs file three directories deep: path walk plus attributes. */
#include "../syscalls/bench.h"

#include <sys/stat.h>

static int op(void) {
    struct stat st;
    return stat("/data/dir1000/f500", &st) != 0 || st.st_size != 4;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "stat", 100000, op); }
