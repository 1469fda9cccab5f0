/* Listing a directory of 1,000 files: opendir, readdir to the end, closedir. */
#include "../syscalls/bench.h"

#include <dirent.h>

static int op(void) {
    DIR *d = opendir("/data/dir1000");
    if (!d) return 1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n != 1002; /* the files plus . and .. */
}

int main(int argc, char **argv) { return bench_main(argc, argv, "readdir", 1000, op); }
