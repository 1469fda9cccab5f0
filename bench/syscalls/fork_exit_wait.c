/* Creating a process that exits at once, and reaping it: an address space copied and torn down. */
#include "bench.h"

#include <sys/wait.h>
#include <unistd.h>

static int op(void) {
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) _exit(0);
    int status;
    return waitpid(child, &status, 0) != child || status != 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "fork_exit_wait", 2000, op); }
