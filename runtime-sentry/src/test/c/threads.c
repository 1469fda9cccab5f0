/*
 * Threads: pthread create/join (clone with CLONE_THREAD, set_robust_list, CLONE_CHILD_CLEARTID
 * wake-ups through futex), mutexes and condition variables under contention, raw futex
 * operations (WAIT with a stale value, timeouts, WAKE counts, bitsets, bad ops), thread-directed
 * signals (tgkill, tkill, rt_tgsigqueueinfo) with per-thread masks, a thread's exit against the
 * process's, memory one thread unmaps while another watches, fork(2) called directly, and
 * execve from a thread that is not the leader: it takes over the process, the others vanish.
 */
#include "behaviour.h"

#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts, atomic_int *uaddr2, int val3) {
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* ---- create, join, contention */

#define WORKERS 4
#define ROUNDS 20000
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int arrived;

static void *worker(void *arg) {
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    arrived++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return (void *)((long)arg * 10);
}

static void create_and_join(void) {
    SECTION("create, join, contention");
    pthread_t t[WORKERS];
    int created = 0;
    for (long i = 0; i < WORKERS; i++) created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
    VALUE("threads created", created);
    pthread_mutex_lock(&lock);
    while (arrived < WORKERS) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *ret;
        if (pthread_join(t[i], &ret) == 0) sum += (long)ret;
    }
    VALUE("sum of return values", sum);
    VALUE("counter under the mutex", counter);
}

/* ---- raw futex */

static atomic_int word;
static atomic_int woken;

static void *futex_sleeper(void *arg) {
    (void)arg;
    if (futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == 0 || errno == EAGAIN) atomic_fetch_add(&woken, 1);
    return NULL;
}

static void *bitset_sleeper(void *arg) {
    long bits = (long)arg;
    if (futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, (int)bits) == 0) atomic_fetch_add(&woken, 1);
    return NULL;
}

/* Waits until n threads sleep on the futex: wakes until the count reaches n without waking anybody. */
static void let_them_sleep(void) {
    struct timespec nap = {0, 50 * 1000000};
    nanosleep(&nap, NULL);
}

static void raw_futex(void) {
    SECTION("futex");
    atomic_store(&word, 1);
    SHOW("WAIT with a stale value", futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    struct timespec ts = {0, 20 * 1000000};
    SHOW("WAIT with a 20ms timeout", futex(&word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0));
    VALUE("WAKE with no waiters", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    SHOW("bad op", futex(&word, 99, 0, NULL, NULL, 0));
    SHOW("unaligned address", futex((atomic_int *)((char *)&word + 1), FUTEX_WAKE, 1, NULL, NULL, 0));
    ts.tv_nsec = -1;
    SHOW("WAIT with a bad timeout", futex(&word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0));
    SHOW("WAIT_BITSET with an empty bitset", futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0));

    atomic_store(&word, 0);
    atomic_store(&woken, 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) REQUIRE(pthread_create(&t[i], NULL, futex_sleeper, NULL) == 0);
    let_them_sleep();
    atomic_store(&word, 1);
    long n = 0;
    for (int tries = 0; n < 3 && tries < 1000; tries++) {
        n += futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        if (n < 3) sched_yield();
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    VALUE("three sleepers all woke", atomic_load(&woken));

    atomic_store(&word, 1);
    atomic_store(&woken, 0);
    REQUIRE(pthread_create(&t[0], NULL, bitset_sleeper, (void *)1L) == 0);
    REQUIRE(pthread_create(&t[1], NULL, bitset_sleeper, (void *)2L) == 0);
    let_them_sleep();
    /* Retried until the matching sleeper is asleep; the other can never match bitset 2. */
    long first = 0;
    for (int tries = 0; first < 1 && tries < 5000; tries++) {
        first += futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 2);
        if (first < 1) sched_yield();
    }
    VALUE("WAKE_BITSET 2 wakes only the matching sleeper", first);
    long second = 0;
    for (int tries = 0; second < 1 && tries < 1000; tries++) second += futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 1);
    VALUE("WAKE_BITSET 1 wakes the other", second);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);

    /* Requeue: two sleepers on word move to word2 and are woken there. */
    static atomic_int word2;
    atomic_store(&word, 0);
    atomic_store(&woken, 0);
    for (int i = 0; i < 2; i++) REQUIRE(pthread_create(&t[i], NULL, futex_sleeper, NULL) == 0);
    let_them_sleep();
    SHOW("CMP_REQUEUE with a stale value", futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)2L, &word2, 7));
    /* Repeated until both have been moved: a sleeper may reach the old word late. */
    long moved = 0;
    for (int tries = 0; moved < 2 && tries < 5000; tries++) {
        moved += futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)2L, &word2, 0);
        if (moved < 2) sched_yield();
    }
    VALUE("CMP_REQUEUE moves both, wakes none", moved);
    VALUE("WAKE on the old word finds nobody", futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    VALUE("WAKE on the new word wakes both", futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    VALUE("  they returned", atomic_load(&woken));
    VALUE("REQUEUE with nobody waiting", futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, &word2, 0));
    atomic_store(&word2, 5);
    VALUE("WAKE_OP ADD 3 if it was 5, nobody waiting",
          futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &word2, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5)));
    VALUE("  the second word now", atomic_load(&word2));
    SHOW("WAKE_OP unaligned second word", futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L,
          (atomic_int *)((char *)&word2 + 2), FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5)));
}

/* ---- robust mutexes: a holder that dies hands the next locker EOWNERDEAD */

static pthread_mutex_t robust;

static void *dies_holding(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* exits without unlocking */
}

static atomic_int holding;

static void *holds_then_dies(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    atomic_store(&holding, 1);
    struct timespec nap = {0, 100 * 1000000};
    nanosleep(&nap, NULL);
    return NULL;
}

static void robust_mutexes(void) {
    SECTION("robust mutexes");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    REQUIRE(pthread_mutex_init(&robust, &attr) == 0);
    void *head = NULL;
    size_t len = 0;
    SHOW("get_robust_list of this thread", syscall(SYS_get_robust_list, 0, &head, &len));
    FACT("  registered by libc, 24 bytes", head != NULL && len == 24);
    SHOW("get_robust_list of a missing thread", syscall(SYS_get_robust_list, 999999, &head, &len));
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, dies_holding, NULL) == 0);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    printf("lock after the owner died: %s\n", r == 0 ? "ok" : errno_name(r));
    VALUE("pthread_mutex_consistent", pthread_mutex_consistent(&robust));
    VALUE("unlock", pthread_mutex_unlock(&robust));
    VALUE("lock again", pthread_mutex_lock(&robust));
    pthread_mutex_unlock(&robust);

    /* The same with a waiter already asleep on the lock when the owner dies. */
    atomic_store(&holding, 0);
    REQUIRE(pthread_create(&t, NULL, holds_then_dies, NULL) == 0);
    while (!atomic_load(&holding)) sched_yield();
    r = pthread_mutex_lock(&robust); /* sleeps until the holder's exit releases it */
    printf("a sleeping waiter, woken by the owner's exit: %s\n", r == 0 ? "ok" : errno_name(r));
    pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);
    pthread_join(t, NULL);
}

/* ---- thread-directed signals */

static _Thread_local int my_signals;
static atomic_int handled_in_target;
static volatile int last_code, last_value;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    my_signals++;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
}

static atomic_int target_tid;
static atomic_int target_go;

static void *signal_target(void *arg) {
    (void)arg;
    atomic_store(&target_tid, gettid());
    while (!atomic_load(&target_go)) sched_yield();
    atomic_store(&handled_in_target, my_signals);
    return NULL;
}

static void directed_signals(void) {
    SECTION("thread-directed signals");
    struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
    REQUIRE(sigaction(SIGRTMIN + 1, &sa, NULL) == 0);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, signal_target, NULL) == 0);
    while (atomic_load(&target_tid) == 0) sched_yield();
    int tid = atomic_load(&target_tid);
    /* A real-time signal, so that the three queue instead of coalescing. */
    SHOW("tgkill the other thread", syscall(SYS_tgkill, getpid(), tid, SIGRTMIN + 1));
    SHOW("tkill it again", syscall(SYS_tkill, tid, SIGRTMIN + 1));
    siginfo_t si = {0};
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 99;
    SHOW("rt_tgsigqueueinfo it a value", syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGRTMIN + 1, &si));
    struct timespec nap = {0, 50 * 1000000};
    nanosleep(&nap, NULL);
    atomic_store(&target_go, 1);
    pthread_join(t, NULL);
    VALUE("the target handled", atomic_load(&handled_in_target));
    VALUE("  the main thread handled", my_signals);
    VALUE("  the last carried", last_value);
    FACT("  with SI_QUEUE", last_code == SI_QUEUE);
    SHOW("tkill a missing thread", syscall(SYS_tkill, 999999, SIGUSR1));
    SHOW("tkill bad signal", syscall(SYS_tkill, gettid(), 99));
    SHOW("rt_tgsigqueueinfo to a missing thread", syscall(SYS_rt_tgsigqueueinfo, getpid(), 999999, SIGUSR1, &si));

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    REQUIRE(pthread_sigmask(SIG_BLOCK, &block, NULL) == 0);
    SHOW("tkill self with SIGUSR1 blocked", syscall(SYS_tkill, gettid(), SIGUSR1));
    sigset_t pending;
    sigpending(&pending);
    FACT("  pending on this thread", sigismember(&pending, SIGUSR1));
    REQUIRE(pthread_sigmask(SIG_UNBLOCK, &block, NULL) == 0);
    VALUE("  handled once unblocked", my_signals);
    signal(SIGUSR1, SIG_DFL);
}

/* ---- exits */

static void *exits_alone(void *arg) {
    (void)arg;
    syscall(SYS_exit, 0);
    return NULL;
}

static void *exits_the_process(void *arg) {
    (void)arg;
    struct timespec nap = {0, 20 * 1000000};
    nanosleep(&nap, NULL);
    exit(5);
}

static void exits(void) {
    SECTION("thread exit and process exit");
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, exits_alone, NULL) == 0);
    VALUE("join a thread that called exit(2)", pthread_join(t, NULL));
    printf("the process lives on: yes\n");
    pid_t child = fork_flushed();
    if (child == 0) {
        pthread_t u;
        pthread_create(&u, NULL, exits_the_process, NULL);
        for (;;) pause();
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    VALUE("exit(5) in a second thread ends the process with", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- memory */

static char *volatile shared_map;
static atomic_int unmapped;

static void *unmapper(void *arg) {
    (void)arg;
    shared_map[0] = 'u';
    atomic_store(&unmapped, munmap(shared_map, 1 << 20) == 0 ? 1 : -1);
    return NULL;
}

static sigjmp_buf fault_jump;
static void on_segv(int sig) { (void)sig; siglongjmp(fault_jump, 1); }

static void memory(void) {
    SECTION("memory shared by threads");
    shared_map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(shared_map != MAP_FAILED);
    memset(shared_map, 'm', 1 << 20);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, unmapper, NULL) == 0);
    pthread_join(t, NULL);
    VALUE("another thread unmapped it", atomic_load(&unmapped));
    signal(SIGSEGV, on_segv);
    volatile int faulted = 0;
    if (sigsetjmp(fault_jump, 1) == 0) {
        volatile char c = shared_map[4096];
        (void)c;
    } else {
        faulted = 1;
    }
    FACT("this thread faults on it now", faulted);
    signal(SIGSEGV, SIG_DFL);
    char *again = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FACT("memory mapped again reads as zero", again != MAP_FAILED && again[0] == 0 && again[4096] == 0);
    munmap(again, 1 << 20);
}

/* ---- fork(2) directly, execve from a thread */

static char *self_path;

static void *execs(void *arg) {
    (void)arg;
    char *argv[] = {self_path, "after-exec", NULL};
    char *envp[] = {NULL};
    execve(self_path, argv, envp);
    _exit(71);
}

static void *sleeps_forever(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void process_calls(void) {
    SECTION("fork and execve with threads");
    flush_all();
    long pid = syscall(SYS_fork);
    if (pid == 0) _exit(3);
    int status;
    REQUIRE(pid > 0 && waitpid(pid, &status, 0) == pid);
    VALUE("fork(2) child exit status", WEXITSTATUS(status));

    pid_t child = fork_flushed();
    if (child == 0) {
        pthread_t a, b;
        pthread_create(&a, NULL, sleeps_forever, NULL);
        pthread_create(&b, NULL, execs, NULL);
        for (;;) pause();
    }
    REQUIRE(waitpid(child, &status, 0) == child);
    VALUE("execve from a second thread: the new program exits with", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The program execs itself from a thread; this is what the new image does. */
static int after_exec(void) {
    /* One thread left, and it has the process's pid: gettid() == getpid(). */
    int threads = 0;
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "Threads:", 8) == 0) threads = atoi(line + 8);
    }
    if (f) fclose(f);
    return (gettid() == getpid() && threads == 1) ? 42 : 43;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "after-exec") == 0) return after_exec();
    self_path = argv[0][0] == '/' ? argv[0] : "/proc/self/exe";
    create_and_join();
    raw_futex();
    robust_mutexes();
    directed_signals();
    exits();
    memory();
    process_calls();
    return 0;
}
