/*
 * Ends in the way its arguments say, so tests can check how an exit status travels back
 * through a runtime: "exitwith code N" exits with N; "exitwith signal N" dies by signal N
 * (with core dumps off, so a core-dumping signal leaves no file behind).
 * Anything else is a usage error: exit 2 with a message on stderr.
 */
#include "behaviour.h"

#include <signal.h>
#include <sys/resource.h>

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "code") == 0) {
        printf("exiting with %s\n", argv[2]);
        return atoi(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "signal") == 0) {
        int sig = atoi(argv[2]);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        signal(sig, SIG_DFL);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        printf("dying by signal %d\n", sig);
        flush_all();
        kill(getpid(), sig);
        /* Only reached for signals whose default action is to ignore or stop. */
        return 0;
    }
    fprintf(stderr, "usage: exitwith code N | exitwith signal N\n");
    return 2;
}
