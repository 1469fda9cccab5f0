/* Creating a file in a rootfs directory, writing 4 KiB, closing and unlinking it. */
#include "../syscalls/bench.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int op(void) {
    static char block[4096];
    int fd = open("/data/scratch/f", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return 1;
    ssize_t n = write(fd, block, sizeof block);
    if (close(fd) != 0 || n != (ssize_t)sizeof block) return 1;
    return unlink("/data/scratch/f") != 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "create_write_unlink", 20000, op); }
