/*
 * Ends in the way its arguments say, so tests can check how an exit status travels back
 * through a runtime:
 *   exitwith code N        exits with N
 *   exitwith signal N      sends itself signal N (default action, core dumps off)
 *   exitwith fault         writes to an unmapped address (SIGSEGV raised by the CPU)
 *   exitwith as-init ...   does one of the above as pid 1 of a pid namespace
 * Anything else is a usage error: exit 2 with a message on stderr.
 *
 * Linux protects a namespace's init from signals it has no handler for, unless the kernel
 * forces them (a fault): "signal N" as init survives, "fault" as init dies. A sandboxed
 * command is its sandbox's init already; natively "as-init" makes a pid namespace (root only),
 * runs the rest there, and passes the status on, 128 + N for death by signal N.
 */
#include "behaviour.h"

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int die_by_signal(int sig) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    printf("dying by signal %d\n", sig);
    flush_all();
    kill(getpid(), sig);
    /* Reached for signals whose default action is to ignore, and by a namespace's init. */
    printf("still alive after signal %d\n", sig);
    return 0;
}

static int fault(void) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    printf("faulting\n");
    flush_all();
    *(volatile int *)BAD_POINTER = 1;
    printf("survived a fault\n");
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: exitwith [as-init] code N | signal N | fault\n");
    return 2;
}

static int act(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "code") == 0) {
        printf("exiting with %s\n", argv[2]);
        return atoi(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "signal") == 0) return die_by_signal(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "fault") == 0) return fault();
    return usage();
}

/* Runs act() as pid 1: directly when already init, else in a child in a new pid namespace. */
static int as_init(int argc, char **argv) {
    if (getpid() == 1) return act(argc, argv);
    REQUIRE(unshare(CLONE_NEWPID) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        flush_all();
        exit(act(argc, argv));
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "as-init") == 0) return as_init(argc - 1, argv + 1);
    return act(argc, argv);
}
