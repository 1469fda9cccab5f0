/*
 * Event loops and timers: epoll level- and edge-triggered and one-shot over pipes, eventfd
 * and sockets, the legacy epoll_create/eventfd/signalfd/pipe calls, epoll_pwait/epoll_pwait2,
 * select, signalfd, timerfd, interval timers and alarm, POSIX timers (SIGEV_SIGNAL,
 * SIGEV_THREAD_ID, SIGEV_NONE; overruns), clock_nanosleep with TIMER_ABSTIME, and inotify
 * used the way a careful program does: watch if it can, poll otherwise, same result.
 * Timing facts are stated with generous bounds so a loaded machine still agrees.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static long long now_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* epoll_wait with a zero timeout: how many entries are ready right now. */
static int ready_now(int ep) {
    struct epoll_event ev[4];
    return epoll_wait(ep, ev, 4, 0);
}

/* Level, edge and one-shot on one kind of file: rfd becomes readable when poke(wfd) runs. */
static void triggers(const char *kind, int rfd, int wfd, void (*poke)(int), void (*drain)(int)) {
    printf("-- %s\n", kind);
    int lt = epoll_create1(EPOLL_CLOEXEC), et = epoll_create1(0), os = epoll_create1(0);
    REQUIRE(lt >= 0 && et >= 0 && os >= 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
    SHOW("level-triggered add", epoll_ctl(lt, EPOLL_CTL_ADD, rfd, &ev));
    ev.events = EPOLLIN | EPOLLET;
    SHOW("edge-triggered add", epoll_ctl(et, EPOLL_CTL_ADD, rfd, &ev));
    ev.events = EPOLLIN | EPOLLONESHOT;
    SHOW("one-shot add", epoll_ctl(os, EPOLL_CTL_ADD, rfd, &ev));
    VALUE("nothing ready yet (level)", ready_now(lt));
    VALUE("nothing ready yet (edge)", ready_now(et));
    poke(wfd);
    struct epoll_event out[4];
    int n = epoll_wait(lt, out, 4, 5000);
    VALUE("level: ready after a write", n);
    FACT("  EPOLLIN with the user data", n == 1 && (out[0].events & EPOLLIN) && out[0].data.u64 == 7);
    VALUE("level: still ready, nothing read", ready_now(lt));
    VALUE("edge: ready once", epoll_wait(et, out, 4, 5000));
    VALUE("edge: not again without a new write", ready_now(et));
    VALUE("one-shot: ready once", epoll_wait(os, out, 4, 5000));
    VALUE("one-shot: disarmed", ready_now(os));
    poke(wfd);
    VALUE("edge: ready after another write", epoll_wait(et, out, 4, 5000));
    VALUE("one-shot: still disarmed after another write", ready_now(os));
    ev.events = EPOLLIN | EPOLLONESHOT;
    SHOW("one-shot re-armed by EPOLL_CTL_MOD", epoll_ctl(os, EPOLL_CTL_MOD, rfd, &ev));
    VALUE("one-shot: ready again", ready_now(os));
    drain(rfd);
    VALUE("level: nothing after draining", ready_now(lt));
    VALUE("edge: nothing after draining", ready_now(et));
    close(lt);
    close(et);
    close(os);
}

static void poke_pipe(int fd) { REQUIRE(write(fd, "x", 1) == 1); }
static void drain_pipe(int fd) {
    char buf[64];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (read(fd, buf, sizeof buf) > 0) {}
    fcntl(fd, F_SETFL, fl);
}
static void poke_eventfd(int fd) { REQUIRE(eventfd_write(fd, 1) == 0); }
static void drain_eventfd(int fd) { eventfd_t v; REQUIRE(eventfd_read(fd, &v) == 0); }

static void epoll_family(void) {
    SECTION("epoll");
    int p[2];
    REQUIRE(syscall(SYS_pipe, p) == 0);
    triggers("pipe", p[0], p[1], poke_pipe, drain_pipe);
    int efd = syscall(SYS_eventfd, 0);
    REQUIRE(efd >= 0);
    triggers("eventfd", efd, efd, poke_eventfd, drain_eventfd);
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    triggers("unix stream socket", sv[0], sv[1], poke_pipe, drain_pipe);

    printf("-- calls\n");
    int old = syscall(SYS_epoll_create, 1);
    FACT("epoll_create", old >= 0);
    SHOW("epoll_create size 0", syscall(SYS_epoll_create, 0));
    SHOW("epoll_create1 bad flags", epoll_create1(1));
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = p[1]};
    SHOW("epoll_ctl add the write end", epoll_ctl(old, EPOLL_CTL_ADD, p[1], &ev));
    SHOW("epoll_ctl add it twice", epoll_ctl(old, EPOLL_CTL_ADD, p[1], &ev));
    SHOW("epoll_ctl mod a missing fd", epoll_ctl(old, EPOLL_CTL_MOD, p[0], &ev));
    SHOW("epoll_ctl on itself", epoll_ctl(old, EPOLL_CTL_ADD, old, &ev));
    SHOW("epoll_ctl on a non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    SHOW("epoll_ctl bad op", epoll_ctl(old, 99, p[1], &ev));
    struct epoll_event out[2];
    VALUE("epoll_wait: write end writable", epoll_wait(old, out, 2, 1000));
    sigset_t none;
    sigemptyset(&none);
    VALUE("epoll_pwait", epoll_pwait(old, out, 2, 1000, &none));
    struct timespec zero = {0, 0};
    VALUE("epoll_pwait2 zero timeout", syscall(SYS_epoll_pwait2, old, out, 2, &zero, NULL, 8));
    SHOW("epoll_ctl del", epoll_ctl(old, EPOLL_CTL_DEL, p[1], NULL));
    struct timespec short_wait = {0, 20 * 1000000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    VALUE("epoll_pwait2 20ms on an empty set", syscall(SYS_epoll_pwait2, old, out, 2, &short_wait, NULL, 8));
    FACT("  waited at least 20ms", now_ns(CLOCK_MONOTONIC) - t0 >= 20 * 1000000LL);
    SHOW("epoll_wait maxevents 0", epoll_wait(old, out, 0, 0));
    SHOW("epoll_wait bad buffer", epoll_wait(old, BAD_POINTER, 2, 0));
    close(old);
    close(efd);
    close(sv[0]);
    close(sv[1]);

    printf("-- select\n");
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {0, 0};
    VALUE("select: write end ready, read end not", syscall(SYS_select, p[1] + 1, &r, &w, NULL, &tv));
    FACT("  read end cleared", !FD_ISSET(p[0], &r));
    FACT("  write end set", FD_ISSET(p[1], &w));
    REQUIRE(write(p[1], "y", 1) == 1);
    FD_SET(p[0], &r);
    tv.tv_sec = 1;
    VALUE("select: read end ready after a write", syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv));
    tv.tv_sec = -1;
    SHOW("select negative timeout", syscall(SYS_select, 1, NULL, NULL, NULL, &tv));
    close(p[0]);
    close(p[1]);
}

static void fd_notifications(void) {
    SECTION("signalfd, timerfd, eventfd");
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    REQUIRE(sigprocmask(SIG_BLOCK, &mask, NULL) == 0);
    int sfd = syscall(SYS_signalfd, -1, &mask, 8);
    FACT("signalfd", sfd >= 0);
    struct signalfd_siginfo si;
    int fl = fcntl(sfd, F_GETFL);
    REQUIRE(fcntl(sfd, F_SETFL, fl | O_NONBLOCK) == 0);
    SHOW("read with nothing pending", read(sfd, &si, sizeof si));
    REQUIRE(kill(getpid(), SIGUSR1) == 0);
    struct pollfd pfd = {.fd = sfd, .events = POLLIN};
    VALUE("poll sees the signal", poll(&pfd, 1, 1000));
    VALUE("read", read(sfd, &si, sizeof si));
    FACT("  SIGUSR1 from this process", si.ssi_signo == SIGUSR1 && si.ssi_pid == (uint32_t)getpid() && si.ssi_code == SI_USER);
    SHOW("read into a short buffer", read(sfd, &si, 8));
    sigaddset(&mask, SIGUSR2);
    FACT("signalfd4 updates the mask of the same fd", signalfd(sfd, &mask, SFD_NONBLOCK) == sfd);
    SHOW("signalfd on a non-signalfd", signalfd(0, &mask, 0));
    SHOW("signalfd4 bad flags", syscall(SYS_signalfd4, -1, &mask, 8, 1));
    SHOW("signalfd bad mask size", syscall(SYS_signalfd, -1, &mask, 4));
    close(sfd);
    REQUIRE(sigprocmask(SIG_UNBLOCK, &mask, NULL) == 0);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    FACT("timerfd_create", tfd >= 0);
    struct itimerspec its = {.it_interval = {0, 10 * 1000000}, .it_value = {0, 10 * 1000000}}, cur;
    SHOW("timerfd_settime 10ms, every 10ms", timerfd_settime(tfd, 0, &its, NULL));
    SHOW("timerfd_gettime", timerfd_gettime(tfd, &cur));
    FACT("  interval kept", cur.it_interval.tv_nsec == 10 * 1000000 && cur.it_interval.tv_sec == 0);
    FACT("  value at most 10ms", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 10 * 1000000);
    uint64_t ticks = 0;
    VALUE("read blocks for expirations", read(tfd, &ticks, sizeof ticks));
    FACT("  at least one", ticks >= 1);
    struct itimerspec off = {0};
    SHOW("timerfd_settime disarm, old value back", timerfd_settime(tfd, 0, &off, &cur));
    FACT("  old interval", cur.it_interval.tv_nsec == 10 * 1000000);
    SHOW("timerfd_gettime after disarm", timerfd_gettime(tfd, &cur));
    FACT("  disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    SHOW("timerfd_create bad clock", timerfd_create(99, 0));
    SHOW("timerfd_gettime on a non-timerfd", timerfd_gettime(0, &cur));
    its.it_value.tv_nsec = 2000000000;
    SHOW("timerfd_settime bad nsec", timerfd_settime(tfd, 0, &its, NULL));
    close(tfd);

    int efd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    eventfd_t v;
    VALUE("eventfd semaphore read", read(efd, &v, 8));
    VALUE("  value", v);
    SHOW("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x4));
    close(efd);
}

static volatile sig_atomic_t alarms, timer_signals, last_overrun, last_code;
static volatile int last_value;
static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_timer(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    timer_signals++;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    last_overrun = si->si_overrun;
}

static void interval_timers(void) {
    SECTION("alarm and interval timers");
    struct sigaction sa = {.sa_handler = on_alarm};
    REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
    VALUE("alarm 5 with none pending", syscall(SYS_alarm, 5));
    VALUE("alarm 0 returns what was left", syscall(SYS_alarm, 0) >= 4 ? 5 : 0);
    struct itimerval iv = {.it_interval = {0, 0}, .it_value = {0, 30000}}, got;
    SHOW("setitimer ITIMER_REAL 30ms", setitimer(ITIMER_REAL, &iv, NULL));
    SHOW("getitimer", syscall(SYS_getitimer, ITIMER_REAL, &got));
    FACT("  at most 30ms left", got.it_value.tv_sec == 0 && got.it_value.tv_usec <= 30000);
    struct timespec nap = {2, 0};
    int r = syscall(SYS_nanosleep, &nap, &nap);
    printf("nanosleep interrupted by SIGALRM: %s\n", r == -1 ? errno_name(errno) : "not interrupted");
    FACT("  remaining time reported", nap.tv_sec <= 2 && (nap.tv_sec > 0 || nap.tv_nsec > 0));
    VALUE("  alarms", alarms);
    SHOW("getitimer bad which", syscall(SYS_getitimer, 5, &got));
    iv.it_value.tv_usec = 2000000;
    SHOW("setitimer bad usec", setitimer(ITIMER_REAL, &iv, NULL));
    struct timespec bad = {0, -1};
    SHOW("nanosleep negative nsec", syscall(SYS_nanosleep, &bad, NULL));
    VALUE("restart_syscall with nothing to restart", syscall(SYS_restart_syscall) == -1 ? errno : 0);
    signal(SIGALRM, SIG_DFL);
}

static atomic_int thread_runs;
static void on_timer_thread(union sigval v) { atomic_store(&thread_runs, v.sival_int); }

static void posix_timers(void) {
    SECTION("POSIX timers");
    struct sigaction sa = {.sa_sigaction = on_timer, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGRTMIN, &sa, NULL) == 0);
    REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);

    timer_t t;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 42};
    SHOW("timer_create CLOCK_MONOTONIC SIGEV_SIGNAL", timer_create(CLOCK_MONOTONIC, &sev, &t));
    /* Long enough that a stalled machine still reads it armed. */
    struct itimerspec its = {.it_value = {0, 300 * 1000000}}, cur;
    SHOW("timer_settime 300ms one-shot", timer_settime(t, 0, &its, NULL));
    SHOW("timer_gettime", timer_gettime(t, &cur));
    FACT("  armed, at most 300ms left", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 300 * 1000000);
    sigset_t empty;
    sigemptyset(&empty);
    while (timer_signals == 0) sigsuspend(&empty);
    VALUE("signals", timer_signals);
    FACT("  si_code SI_TIMER", last_code == SI_TIMER);
    VALUE("  si_value", last_value);
    SHOW("timer_gettime after expiry", timer_gettime(t, &cur));
    FACT("  disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

    /* Overruns: block the signal while a 5ms periodic timer expires many times. */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    REQUIRE(sigprocmask(SIG_BLOCK, &rt, NULL) == 0);
    its.it_value.tv_nsec = 5 * 1000000;
    its.it_interval.tv_nsec = 5 * 1000000;
    SHOW("timer_settime 5ms periodic", timer_settime(t, 0, &its, NULL));
    struct timespec nap = {0, 100 * 1000000};
    nanosleep(&nap, NULL);
    siginfo_t info;
    VALUE("sigwaitinfo takes the one queued signal", sigwaitinfo(&rt, &info));
    FACT("  si_overrun counts the other expiries", info.si_code == SI_TIMER && info.si_overrun >= 5);
    FACT("timer_getoverrun agrees", timer_getoverrun(t) == info.si_overrun);
    struct itimerspec stop = {0};
    SHOW("timer_settime disarm, old setting back", timer_settime(t, 0, &stop, &cur));
    FACT("  old interval 5ms", cur.it_interval.tv_nsec == 5 * 1000000);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&rt, &info, &zero) > 0) {}
    REQUIRE(sigprocmask(SIG_UNBLOCK, &rt, NULL) == 0);
    SHOW("timer_delete", timer_delete(t));
    SHOW("timer_delete again", timer_delete(t));
    SHOW("timer_gettime deleted", timer_gettime(t, &cur));
    SHOW("timer_getoverrun deleted", timer_getoverrun(t));

    /* Absolute expiry on CLOCK_REALTIME, directed to this thread. */
    timer_signals = 0;
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGUSR2;
    sev.sigev_value.sival_int = 7;
    sev._sigev_un._tid = gettid();
    SHOW("timer_create CLOCK_REALTIME SIGEV_THREAD_ID", timer_create(CLOCK_REALTIME, &sev, &t));
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    its.it_interval.tv_nsec = 0;
    its.it_value.tv_sec = now.tv_sec + (now.tv_nsec + 30 * 1000000) / 1000000000;
    its.it_value.tv_nsec = (now.tv_nsec + 30 * 1000000) % 1000000000;
    SHOW("timer_settime TIMER_ABSTIME now+30ms", timer_settime(t, TIMER_ABSTIME, &its, NULL));
    while (timer_signals == 0) sigsuspend(&empty);
    VALUE("  delivered", timer_signals);
    VALUE("  si_value", last_value);
    its.it_value.tv_sec = 1;
    its.it_value.tv_nsec = 0;
    SHOW("timer_settime TIMER_ABSTIME in the past", timer_settime(t, TIMER_ABSTIME, &its, NULL));
    while (timer_signals == 1) sigsuspend(&empty);
    VALUE("  fires at once", timer_signals);
    timer_delete(t);
    sev._sigev_un._tid = 999999;
    SHOW("timer_create SIGEV_THREAD_ID of a missing thread", timer_create(CLOCK_REALTIME, &sev, &t));
    /* A timer may only signal its own process's threads, never another process. */
    pid_t other = fork_flushed();
    if (other == 0) {
        for (;;) pause();
    }
    sev._sigev_un._tid = other;
    SHOW("timer_create SIGEV_THREAD_ID of another process", timer_create(CLOCK_REALTIME, &sev, &t));
    kill(other, SIGKILL);
    REQUIRE(waitpid(other, NULL, 0) == other);

    /* glibc's SIGEV_THREAD: a helper thread takes the signal and runs the function. */
    struct sigevent thr = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_timer_thread,
                           .sigev_value.sival_int = 5};
    SHOW("timer_create SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &thr, &t));
    struct itimerspec soon = {.it_value = {0, 10 * 1000000}};
    SHOW("timer_settime 10ms", timer_settime(t, 0, &soon, NULL));
    for (int i = 0; i < 500 && atomic_load(&thread_runs) == 0; i++) {
        struct timespec ms = {0, 10 * 1000000};
        nanosleep(&ms, NULL);
    }
    VALUE("  the function ran, with the value", atomic_load(&thread_runs));
    timer_delete(t);

    sev.sigev_notify = SIGEV_NONE;
    SHOW("timer_create SIGEV_NONE", timer_create(CLOCK_MONOTONIC, &sev, &t));
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 10 * 1000000;
    SHOW("timer_settime 10ms", timer_settime(t, 0, &its, NULL));
    nanosleep(&nap, NULL);
    SHOW("timer_gettime after it ran out", timer_gettime(t, &cur));
    FACT("  disarmed, no signal", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 && timer_signals == 2);
    timer_delete(t);

    SHOW("timer_create default sigevent", timer_create(CLOCK_MONOTONIC, NULL, &t));
    timer_delete(t);
    SHOW("timer_create bad clock", timer_create(99, NULL, &t));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = 200;
    SHOW("timer_create bad signal", timer_create(CLOCK_MONOTONIC, &sev, &t));
    sev.sigev_notify = 77;
    SHOW("timer_create bad notify", timer_create(CLOCK_MONOTONIC, &sev, &t));
    SHOW("timer_create bad pointer", syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, BAD_POINTER));
    SHOW("timer_settime unknown timer", syscall(SYS_timer_settime, 12345, 0, &its, NULL));
}

static void absolute_sleep(void) {
    SECTION("clock_nanosleep TIMER_ABSTIME");
    clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
    const char *names[] = {"MONOTONIC", "REALTIME"};
    for (int i = 0; i < 2; i++) {
        long long target = now_ns(clocks[i]) + 30 * 1000000LL;
        struct timespec ts = {target / 1000000000LL, target % 1000000000LL};
        int r = clock_nanosleep(clocks[i], TIMER_ABSTIME, &ts, NULL);
        printf("%s: %s, woke at or after the target %s\n", names[i], r == 0 ? "ok" : errno_name(r),
               now_ns(clocks[i]) >= target ? "yes" : "no");
    }
    struct timespec past = {1, 0};
    VALUE("a deadline in the past returns at once", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    VALUE("bad flags", clock_nanosleep(CLOCK_MONOTONIC, 2, &past, NULL));
    VALUE("thread CPU clock", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &past, NULL));
}

static void inotify_or_poll(void) {
    SECTION("inotify, or polling when it is missing");
    REQUIRE(mkdir("watched", 0700) == 0);
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    int missing_as_enosys = in < 0 && errno == ENOSYS;
    int wd = -1;
    if (in >= 0) wd = inotify_add_watch(in, "watched", IN_CREATE);
    int fd = open("watched/new", O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    close(fd);
    int seen = 0;
    if (wd >= 0) {
        char buf[512] __attribute__((aligned(8)));
        struct pollfd p = {.fd = in, .events = POLLIN};
        if (poll(&p, 1, 5000) == 1 && read(in, buf, sizeof buf) > 0) {
            struct inotify_event *e = (struct inotify_event *)buf;
            seen = (e->mask & IN_CREATE) && strcmp(e->name, "new") == 0;
        }
    } else {
        seen = missing_as_enosys && access("watched/new", F_OK) == 0;
    }
    FACT("the new file was noticed", seen);
    if (in >= 0) close(in);
    int legacy = syscall(SYS_inotify_init);
    FACT("inotify_init gives an fd or ENOSYS", legacy >= 0 || errno == ENOSYS);
    if (legacy >= 0) close(legacy);
    SHOW("inotify_init1 bad flags", inotify_init1(0x1));
    int p[2];
    REQUIRE(pipe(p) == 0);
    SHOW("inotify_add_watch on a pipe", inotify_add_watch(p[0], "watched", IN_CREATE));
    SHOW("inotify_add_watch on a closed fd", inotify_add_watch(999, "watched", IN_CREATE));
    SHOW("inotify_rm_watch on a pipe", inotify_rm_watch(p[0], 1));
    close(p[0]);
    close(p[1]);
    REQUIRE(unlink("watched/new") == 0 && rmdir("watched") == 0);
}

int main(void) {
    enter_scratch_dir();
    epoll_family();
    fd_notifications();
    interval_timers();
    posix_timers();
    absolute_sleep();
    inotify_or_poll();
    leave_scratch_dir();
    return 0;
}
