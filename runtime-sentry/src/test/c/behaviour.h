/*
 * Shared helpers for the behaviour programs.
 *
 * Every program prints a transcript that must be byte-identical on Linux and under jVisor, so
 * nothing here prints a pid, an address, a time or a size that varies between runs: results are
 * reduced to "ok", an errno name, or a relative fact ("yes"/"no").
 *
 * Exit status convention: 0 when the program ran to the end; EXIT_SETUP (70) when a step the
 * program needs in order to continue (fork, pipe, a scratch directory) failed, so a broken
 * kernel shows up as a distinct status and not as a half transcript that happens to match.
 */
#ifndef BEHAVIOUR_H
#define BEHAVIOUR_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SETUP 70

/* strerrorname_np gives "EAGAIN" rather than a locale-dependent sentence. */
static inline const char *errno_name(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

/* Prints "label: ok" when rc is not -1, else "label: <ERRNO>". */
#define SHOW(label, expr)                                                        \
    do {                                                                         \
        errno = 0;                                                               \
        long show_rc_ = (long)(expr);                                            \
        if (show_rc_ == -1)                                                      \
            printf("%s: %s\n", (label), errno_name(errno));                      \
        else                                                                     \
            printf("%s: ok\n", (label));                                         \
    } while (0)

/* Prints "label: yes" or "label: no". */
#define FACT(label, cond) printf("%s: %s\n", (label), (cond) ? "yes" : "no")

/* Prints a number that is deterministic by construction (a length, a count, a status). */
#define VALUE(label, v) printf("%s: %ld\n", (label), (long)(v))

/* Stops the program with EXIT_SETUP when a step it depends on failed. */
#define REQUIRE(expr)                                                            \
    do {                                                                         \
        if (!(expr)) {                                                           \
            fprintf(stderr, "%s:%d: setup failed: %s (%s)\n", __FILE_NAME__, __LINE__, \
                    #expr, errno_name(errno));                                   \
            exit(EXIT_SETUP);                                                    \
        }                                                                        \
    } while (0)

/* An address no program maps, for EFAULT checks; volatile keeps the compiler from objecting. */
static void *volatile const BAD_POINTER = (void *)8;

/* Section headers keep a failing diff readable. */
#define SECTION(name)                                                            \
    do {                                                                         \
        printf("== %s\n", (name));                                               \
    } while (0)

/*
 * stdout is a pipe in every mode, so it is fully buffered: flush before fork() or the child
 * would print the parent's pending lines a second time.
 */
static inline void flush_all(void) { fflush(stdout); fflush(stderr); }

/* fork(2) after flush_all(); a fork that fails ends the program (REQUIRE). */
static inline pid_t fork_flushed(void) {
    flush_all();
    pid_t child = fork();
    REQUIRE(child >= 0);
    return child;
}

/* Waits for child and says so when it did not exit 0: a crash or a failed REQUIRE is never silent. */
static inline void await_child(pid_t child) {
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) printf("  child ended badly: %#x\n", status);
}

/* Prints "label: ok" or "label: <ERRNO>" for open(path, flags, mode), closing what it opened. */
static inline void show_open(const char *label, const char *path, int flags, int mode) {
    errno = 0;
    int fd = open(path, flags, mode);
    printf("%s: %s\n", label, fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0) close(fd);
}

/*
 * Runs fn in a child and waits for it, so what fn changes (credentials, limits, signal state)
 * does not stick to the program. A child that fails or dies is reported, never silent.
 */
static inline void in_child(void (*fn)(void)) {
    pid_t child = fork_flushed();
    if (child == 0) {
        fn();
        flush_all();
        _exit(0);
    }
    await_child(child);
}

/*
 * Creates a private scratch directory under $TMPDIR (default /tmp) and makes it the working
 * directory, so programs use short relative paths and never collide with a concurrent run.
 * The name is random and therefore never printed.
 */
static char scratch_dir[4096];

static inline void enter_scratch_dir(void) {
    const char *base = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/behaviour.XXXXXX", base && *base ? base : "/tmp");
    REQUIRE(mkdtemp(scratch_dir) != NULL);
    REQUIRE(chdir(scratch_dir) == 0);
}

/* Removes the scratch directory, which the program must have emptied. */
static inline void leave_scratch_dir(void) {
    REQUIRE(chdir("/") == 0);
    REQUIRE(rmdir(scratch_dir) == 0);
}

#endif
