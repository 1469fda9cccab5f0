/* Opening a small rootfs file, reading it and closing it: in a sandbox, a lookup and an open through the Gofer. */
#include "../syscalls/bench.h"

#include <fcntl.h>
#include <unistd.h>

static int op(void) {
    char buf[256];
    int fd = open("/data/small", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    ssize_t n = read(fd, buf, sizeof buf);
    return close(fd) != 0 || n <= 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "open_read_close", 50000, op); }
