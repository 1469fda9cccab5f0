/* Sequential read of a 64 MiB rootfs file in 1 MiB reads. */
#include "../syscalls/bench.h"

#include <fcntl.h>
#include <unistd.h>

static char buf[1 << 20];

static int op(void) {
    int fd = open("/data/big", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
    close(fd);
    return n < 0 || total != 64LL << 20;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "seqread_64mib", 10, op); }
