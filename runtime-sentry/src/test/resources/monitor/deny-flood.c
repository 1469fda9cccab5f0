/* Makes N ptrace calls (the sandbox refuses each with EPERM), one mount, sleeps S seconds if
   given, then exits with 3. Usage: deny-flood N [S] */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    long refused = 0;
    for (long i = 0; i < n; i++) {
        if (syscall(SYS_ptrace, 0L, 0L, 0L, 0L) != 0) refused++;
    }
    if (syscall(SYS_mount, "none", "/", "tmpfs", 0L, 0L) != 0) refused++;
    if (argc > 2) sleep((unsigned) atoi(argv[2]));
    return refused == n + 1 ? 3 : 1;
}
