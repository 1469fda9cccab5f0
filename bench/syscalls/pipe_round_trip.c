/*
 * One byte to a child process over a pipe and one byte back: two writes, two blocking reads
 * and two context switches per operation.
 */
#include "bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int to_child[2], to_parent[2];

static int op(void) {
    char b = 'p';
    return write(to_child[1], &b, 1) != 1 || read(to_parent[0], &b, 1) != 1;
}

int main(int argc, char **argv) {
    if (pipe(to_child) || pipe(to_parent)) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        /* Without its own copy of the write end, the child sees EOF when the parent finishes. */
        close(to_child[1]);
        close(to_parent[0]);
        char b;
        while (read(to_child[0], &b, 1) == 1)
            if (write(to_parent[1], &b, 1) != 1) _exit(1);
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    int rc = bench_main(argc, argv, "pipe_round_trip", 20000, op);
    close(to_child[1]);
    waitpid(child, NULL, 0);
    return rc;
}
