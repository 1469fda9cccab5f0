/* The cheapest system call: its cost is the pure trap-and-return overhead of the runtime. */
#include "bench.h"

#include <sys/syscall.h>
#include <unistd.h>

/* syscall() rather than getpid(): no libc may cache the answer. */
static int op(void) { return syscall(SYS_getpid) <= 0; }

int main(int argc, char **argv) { return bench_main(argc, argv, "getpid", 100000, op); }
