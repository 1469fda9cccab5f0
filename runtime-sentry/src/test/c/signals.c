/*
 * Signals: handlers and their masks, queueing, siginfo, sigaltstack, interruption of a blocking
 * read (SA_RESTART versus EINTR), SIGCHLD, kill/tgkill, sigsuspend, rt_sigtimedwait and the
 * default actions seen through wait status.
 */
#include "behaviour.h"

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t hits;
static volatile sig_atomic_t usr1_blocked_inside, usr2_blocked_inside;
static volatile int last_code, last_signo, last_value, last_status, last_pid_is_self;
static volatile sig_atomic_t on_alt_stack, altstack_flag_onstack;
static char *alt_base;
static size_t alt_size;

static void count_handler(int sig) { (void)sig; hits++; }

static void mask_probe_handler(int sig) {
    (void)sig;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    usr1_blocked_inside = sigismember(&cur, SIGUSR1);
    usr2_blocked_inside = sigismember(&cur, SIGUSR2);
    hits++;
}

static void info_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    last_signo = sig == si->si_signo ? sig : -1;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    last_status = si->si_status;
    last_pid_is_self = si->si_pid == getpid();
    hits++;
}

static void altstack_handler(int sig) {
    (void)sig;
    char here;
    on_alt_stack = &here >= alt_base && &here < alt_base + alt_size;
    stack_t cur;
    sigaltstack(NULL, &cur);
    altstack_flag_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

static void install(int sig, void (*fn)(int), int flags, const sigset_t *mask) {
    struct sigaction sa = {0};
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    if (mask) sa.sa_mask = *mask;
    else sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(sig, &sa, NULL) == 0);
}

static void install_info(int sig) {
    struct sigaction sa = {0};
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(sig, &sa, NULL) == 0);
}

static void block(int sig, int how) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    REQUIRE(sigprocmask(how, &s, NULL) == 0);
}

static void handlers_and_masks(void) {
    SECTION("handlers and masks");
    install(SIGUSR1, count_handler, 0, NULL);
    hits = 0;
    raise(SIGUSR1);
    VALUE("handler ran after raise", hits);

    block(SIGUSR1, SIG_BLOCK);
    hits = 0;
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    FACT("blocked SIGUSR1 pending", sigismember(&pending, SIGUSR1));
    VALUE("handler runs while blocked", hits);
    block(SIGUSR1, SIG_UNBLOCK);
    VALUE("standard signal raised twice while blocked, delivered", hits);

    install(SIGRTMIN, count_handler, 0, NULL);
    block(SIGRTMIN, SIG_BLOCK);
    hits = 0;
    union sigval v = {.sival_int = 0};
    sigqueue(getpid(), SIGRTMIN, v);
    sigqueue(getpid(), SIGRTMIN, v);
    block(SIGRTMIN, SIG_UNBLOCK);
    VALUE("realtime signal queued twice while blocked, delivered", hits);

    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    install(SIGUSR1, mask_probe_handler, 0, &usr2);
    raise(SIGUSR1);
    FACT("inside handler: own signal blocked", usr1_blocked_inside);
    FACT("inside handler: sa_mask signal blocked", usr2_blocked_inside);
    sigset_t after;
    sigprocmask(SIG_SETMASK, NULL, &after);
    FACT("after handler: mask restored", !sigismember(&after, SIGUSR1) && !sigismember(&after, SIGUSR2));

    install(SIGUSR1, mask_probe_handler, SA_NODEFER, NULL);
    raise(SIGUSR1);
    FACT("SA_NODEFER: own signal blocked inside", usr1_blocked_inside);

    install(SIGUSR1, count_handler, SA_RESETHAND, NULL);
    hits = 0;
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    FACT("SA_RESETHAND: handler reset to SIG_DFL", hits == 1 && now.sa_handler == SIG_DFL);

    install(SIGUSR1, SIG_IGN, 0, NULL);
    raise(SIGUSR1);
    FACT("ignored SIGUSR1 survived", 1);

    struct sigaction sa = {0};
    sa.sa_handler = count_handler;
    SHOW("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
    SHOW("sigaction(SIGSTOP)", sigaction(SIGSTOP, &sa, NULL));
    SHOW("sigaction(0)", sigaction(0, &sa, NULL));
    SHOW("sigaction(65)", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8));
    SHOW("rt_sigprocmask bad sigsetsize", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 4));
    SHOW("kill(self, 0)", kill(getpid(), 0));
    SHOW("kill(self, 65)", kill(getpid(), 65));
}

static void siginfo_and_tgkill(void) {
    SECTION("siginfo, kill, tgkill, sigqueue");
    install_info(SIGUSR2);
    kill(getpid(), SIGUSR2);
    printf("kill: signo ok %s, code SI_USER %s, sender is self %s\n", last_signo == SIGUSR2 ? "yes" : "no",
           last_code == SI_USER ? "yes" : "no", last_pid_is_self ? "yes" : "no");
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
    printf("tgkill: code SI_TKILL %s\n", last_code == SI_TKILL ? "yes" : "no");
    union sigval v = {.sival_int = 4242};
    sigqueue(getpid(), SIGUSR2, v);
    printf("sigqueue: code SI_QUEUE %s, value %d\n", last_code == SI_QUEUE ? "yes" : "no", last_value);
    SHOW("tgkill(wrong tgid)", syscall(SYS_tgkill, getpid() + 100000, gettid(), SIGUSR2));

    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) _exit(0);
    REQUIRE(waitpid(child, NULL, 0) == child);
    SHOW("kill(reaped child)", kill(child, SIGUSR2));
}

static void alternate_stack(void) {
    SECTION("sigaltstack");
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    REQUIRE(alt_base);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    stack_t small = {.ss_sp = alt_base, .ss_size = 512, .ss_flags = 0};
    SHOW("sigaltstack too small", sigaltstack(&small, NULL));
    stack_t bad_flags = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0x1234};
    SHOW("sigaltstack bad flags", sigaltstack(&bad_flags, NULL));
    SHOW("sigaltstack install", sigaltstack(&ss, NULL));
    install(SIGUSR1, altstack_handler, SA_ONSTACK, NULL);
    raise(SIGUSR1);
    FACT("SA_ONSTACK handler ran on the alternate stack", on_alt_stack);
    FACT("sigaltstack reports SS_ONSTACK inside", altstack_flag_onstack);
    install(SIGUSR1, altstack_handler, 0, NULL);
    raise(SIGUSR1);
    FACT("handler without SA_ONSTACK ran on the alternate stack", on_alt_stack);
    stack_t off = {.ss_flags = SS_DISABLE};
    SHOW("sigaltstack disable", sigaltstack(&off, NULL));
    stack_t cur;
    sigaltstack(NULL, &cur);
    FACT("sigaltstack reports SS_DISABLE", cur.ss_flags == SS_DISABLE);
}

/* Set just before entering read(), so the handler can tell whether it interrupted it. */
static volatile sig_atomic_t in_read, hit_during_read;

static void read_probe_handler(int sig) {
    (void)sig;
    if (in_read) hit_during_read = 1;
}

/*
 * A child signals the parent while the parent is blocked in read() on an empty pipe, then
 * writes one byte. Whether the signal arrives during the read is a matter of scheduling, so
 * an attempt in which it arrived early is repeated rather than reported.
 */
static void interrupted_read(int restart) {
    for (int attempt = 0; attempt < 20; attempt++) {
        int p[2];
        REQUIRE(pipe(p) == 0);
        install(SIGUSR1, read_probe_handler, restart ? SA_RESTART : 0, NULL);
        in_read = hit_during_read = 0;
        flush_all();
        pid_t parent = getpid();
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            struct timespec d = {0, 100 * 1000 * 1000};
            nanosleep(&d, NULL);
            kill(parent, SIGUSR1);
            nanosleep(&d, NULL);
            write(p[1], "x", 1);
            _exit(0);
        }
        char c = 0;
        in_read = 1;
        ssize_t n = read(p[0], &c, 1);
        int err = errno;
        in_read = 0;
        REQUIRE(waitpid(child, NULL, 0) == child);
        close(p[0]);
        close(p[1]);
        if (!hit_during_read) continue;
        if (n == 1)
            printf("%s: read returned 1 byte '%c'\n", restart ? "SA_RESTART" : "no SA_RESTART", c);
        else
            printf("%s: read failed %s\n", restart ? "SA_RESTART" : "no SA_RESTART", errno_name(err));
        return;
    }
    printf("%s: signal never arrived during read\n", restart ? "SA_RESTART" : "no SA_RESTART");
}

static void sigchld_and_suspend(void) {
    SECTION("SIGCHLD and sigsuspend");
    install_info(SIGCHLD);
    block(SIGCHLD, SIG_BLOCK);
    hits = 0;
    pid_t child = fork_flushed();
    if (child == 0) _exit(3);
    sigset_t none;
    sigemptyset(&none);
    int rc = sigsuspend(&none);
    printf("sigsuspend returned %d %s\n", rc, errno_name(errno));
    printf("SIGCHLD: code CLD_EXITED %s, status %d\n", last_code == CLD_EXITED ? "yes" : "no", last_status);
    REQUIRE(waitpid(child, NULL, 0) == child);
    block(SIGCHLD, SIG_UNBLOCK);
    install(SIGCHLD, SIG_DFL, 0, NULL);

    block(SIGUSR1, SIG_BLOCK);
    install(SIGUSR1, count_handler, 0, NULL);
    hits = 0;
    pid_t parent = getpid();
    child = fork_flushed();
    if (child == 0) {
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigsuspend(&none);
    VALUE("sigsuspend woke for a signal from a child, handler runs", hits);
    sigset_t after;
    sigprocmask(SIG_SETMASK, NULL, &after);
    FACT("sigsuspend restored the blocked mask", sigismember(&after, SIGUSR1));
    REQUIRE(waitpid(child, NULL, 0) == child);
    block(SIGUSR1, SIG_UNBLOCK);
}

static void timed_wait(void) {
    SECTION("rt_sigtimedwait");
    block(SIGUSR2, SIG_BLOCK);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    union sigval v = {.sival_int = 7};
    sigqueue(getpid(), SIGUSR2, v);
    siginfo_t si;
    struct timespec zero = {0, 0}, short_wait = {0, 20 * 1000 * 1000};
    int sig = sigtimedwait(&set, &si, &zero);
    printf("sigtimedwait: %s, value %d\n", sig == SIGUSR2 ? "SIGUSR2" : "other", si.si_value.sival_int);
    SHOW("sigtimedwait nothing pending, 20ms", sigtimedwait(&set, &si, &short_wait));
    kill(getpid(), SIGUSR2);
    sig = sigwaitinfo(&set, &si);
    printf("sigwaitinfo: %s, code SI_USER %s\n", sig == SIGUSR2 ? "SIGUSR2" : "other", si.si_code == SI_USER ? "yes" : "no");
    struct timespec bad = {0, 2000000000L};
    SHOW("sigtimedwait bad timeout", sigtimedwait(&set, &si, &bad));
    block(SIGUSR2, SIG_UNBLOCK);
}

static void describe_status(const char *what, int status) {
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(status)));
    else if (WIFSTOPPED(status))
        printf("%s: stopped by %s\n", what, sigabbrev_np(WSTOPSIG(status)));
    else if (WIFCONTINUED(status))
        printf("%s: continued\n", what);
}

static void default_actions(void) {
    SECTION("default actions");
    /* Core-dumping signals as well as terminating ones; RLIMIT_CORE 0 keeps core files off disk. */
    int sigs[] = {SIGTERM, SIGUSR1, SIGHUP, SIGALRM, SIGSEGV, SIGABRT, SIGQUIT, SIGFPE, SIGCHLD, SIGURG, SIGWINCH, SIGKILL};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        pid_t child = fork_flushed();
        if (child == 0) {
            struct rlimit no_core = {0, 0};
            setrlimit(RLIMIT_CORE, &no_core);
            signal(sigs[i], SIG_DFL);
            raise(sigs[i]);
            _exit(0);
        }
        int status;
        REQUIRE(waitpid(child, &status, 0) == child);
        char what[32];
        snprintf(what, sizeof what, "raise(SIG%s)", sigabbrev_np(sigs[i]));
        describe_status(what, status);
    }

    pid_t child = fork_flushed();
    if (child == 0) {
        for (;;) pause();
    }
    int status;
    kill(child, SIGSTOP);
    REQUIRE(waitpid(child, &status, WUNTRACED) == child);
    describe_status("SIGSTOP", status);
    kill(child, SIGCONT);
    REQUIRE(waitpid(child, &status, WCONTINUED) == child);
    describe_status("SIGCONT", status);
    kill(child, SIGTERM);
    REQUIRE(waitpid(child, &status, 0) == child);
    describe_status("SIGTERM while paused", status);
}

int main(void) {
    handlers_and_masks();
    siginfo_and_tgkill();
    alternate_stack();
    SECTION("interrupted blocking read");
    interrupted_read(1);
    interrupted_read(0);
    sigchld_and_suspend();
    timed_wait();
    default_actions();
    return 0;
}
