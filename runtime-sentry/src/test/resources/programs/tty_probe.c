/*
 * Runs on a terminal (fds 0, 1, 2) as a session leader that controls it, and prints what a
 * program can see of it. A driver on the master side answers each "READY n" prompt (see
 * TerminalParityTest). Everything printed is independent of the host: no pids, no pty numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t last_signal;

static void on_signal(int sig) { last_signal = sig; }

static void catch_signal(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(sig, &sa, NULL);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (write(1, buf, strlen(buf)) < 0) _exit(70);
}

static const char *err(int e) {
    switch (e) {
        case EINTR: return "EINTR";
        case EIO: return "EIO";
        case EAGAIN: return "EAGAIN";
        case ENOTTY: return "ENOTTY";
        case EPERM: return "EPERM";
        case ENXIO: return "ENXIO";
        case EINVAL: return "EINVAL";
        case ESRCH: return "ESRCH";
        default: return "other";
    }
}

static void prompt(int n) { say("READY %d\n", n); }

static void identity(void) {
    say("isatty 0:%d 1:%d 2:%d\n", isatty(0), isatty(1), isatty(2));
    char *name = ttyname(0);
    struct stat byname, byfd;
    int same = name && stat(name, &byname) == 0 && fstat(0, &byfd) == 0 && byname.st_ino == byfd.st_ino
               && byname.st_dev == byfd.st_dev;
    say("ttyname is /dev/pts/N: %s, same file as fd 0: %s\n",
        name && strncmp(name, "/dev/pts/", 9) == 0 ? "yes" : "no", same ? "yes" : "no");
    fstat(0, &byfd);
    say("fd 0: char device %s, major %u\n", S_ISCHR(byfd.st_mode) ? "yes" : "no", major(byfd.st_rdev));
    say("sid is mine: %s, TIOCGSID: %s, foreground is my group: %s\n", getsid(0) == getpid() ? "yes" : "no",
        ({ pid_t s = 0; ioctl(0, TIOCGSID, &s) == 0 && s == getsid(0) ? "yes" : "no"; }),
        tcgetpgrp(0) == getpgrp() ? "yes" : "no");
    int fd = open("/dev/tty", O_RDWR);
    say("/dev/tty opens: %s, is a tty: %s\n", fd >= 0 ? "yes" : err(errno), fd >= 0 && isatty(fd) ? "yes" : "no");
    if (fd >= 0) close(fd);
    struct termios t;
    tcgetattr(0, &t);
    say("termios iflag %#o oflag %#o cflag %#o lflag %#o\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
    say("cc");
    for (int i = 0; i < 17; i++) say(" %d", t.c_cc[i]);
    say("\nspeed %d\n", cfgetospeed(&t) == B38400);
    struct winsize ws;
    ioctl(0, TIOCGWINSZ, &ws);
    say("winsize %dx%d\n", ws.ws_row, ws.ws_col);
    int n = -1;
    say("FIONREAD %d\n", ioctl(0, FIONREAD, &n) == 0 ? n : -1);
    say("TIOCGPTN on a slave: %s\n", ioctl(0, TIOCGPTN, &n) == 0 ? "ok" : err(errno));
}

static void canonical(void) {
    char buf[256];
    prompt(1); /* driver types: "helo" DEL "o wrld" ^W "world" CR */
    ssize_t n = read(0, buf, sizeof buf);
    say("line [%.*s] n=%zd\n", (int) (n > 0 ? n - 1 : 0), buf, n);
    prompt(2); /* driver types: "abc" ^U "xyz" ^D, then ^D */
    n = read(0, buf, sizeof buf);
    say("pushed by EOF [%.*s] n=%zd\n", (int) (n > 0 ? n : 0), buf, n);
    n = read(0, buf, sizeof buf);
    say("EOF at line start: n=%zd\n", n);
}

static void raw_reads(void) {
    struct termios saved, t;
    char buf[64];
    tcgetattr(0, &saved);
    t = saved;
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 2;
    tcsetattr(0, TCSANOW, &t);
    ssize_t n = read(0, buf, sizeof buf);
    say("VMIN 0 VTIME 2, nothing typed: n=%zd\n", n);
    prompt(3); /* driver types "q\r" */
    int avail = 0;
    for (int i = 0; i < 500 && avail < 2; i++) {
        usleep(10000);
        ioctl(0, FIONREAD, &avail);
    }
    say("FIONREAD %d\n", avail);
    n = read(0, buf, sizeof buf);
    say("raw read n=%zd [%s]\n", n, n == 2 && buf[0] == 'q' && buf[1] == '\n' ? "q NL (ICRNL still on)" : "?");
    t.c_cc[VMIN] = 3;
    t.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &t);
    prompt(4); /* driver types "1", then "23" */
    n = read(0, buf, sizeof buf);
    say("VMIN 3: n=%zd [%.*s]\n", n, (int) (n > 0 ? n : 0), buf);
    tcsetattr(0, TCSANOW, &saved);
}

static void signals(void) {
    char buf[64];
    catch_signal(SIGINT);
    catch_signal(SIGQUIT);
    catch_signal(SIGTSTP);
    catch_signal(SIGWINCH);
    const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP};
    for (int i = 0; i < 3; i++) {
        last_signal = 0;
        prompt(5 + i); /* driver types "junk" then ^C, ^\, ^Z */
        ssize_t n = read(0, buf, sizeof buf);
        say("read -> %zd %s, signal %s\n", n, n < 0 ? err(errno) : "", last_signal == sigs[i] ? "right" : "wrong");
    }
    /* The typed "junk" was flushed by each signal: nothing is left to read. */
    int avail = -1;
    ioctl(0, FIONREAD, &avail);
    say("after signals FIONREAD %d\n", avail);
    last_signal = 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &old);
    prompt(8); /* driver resizes the window to 30x100 */
    while (last_signal != SIGWINCH) sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    struct winsize ws;
    ioctl(0, TIOCGWINSZ, &ws);
    say("SIGWINCH, winsize %dx%d\n", ws.ws_row, ws.ws_col);
}

static void job_control(void) {
    int p[2];
    if (pipe(p) != 0) _exit(70);
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        char c;
        signal(SIGTTIN, SIG_IGN);
        ssize_t n = read(0, &c, 1);
        char msg[64];
        snprintf(msg, sizeof msg, "%zd %s", n, n < 0 ? err(errno) : "");
        if (write(p[1], msg, strlen(msg) + 1) < 0) _exit(70);
        signal(SIGTTIN, SIG_DFL);
        n = read(0, &c, 1); /* stops the child */
        _exit(0);
    }
    setpgid(child, child);
    char msg[64] = "";
    if (read(p[0], msg, sizeof msg) <= 0) _exit(70);
    say("background read ignoring SIGTTIN: %s\n", msg);
    int status = 0;
    waitpid(child, &status, WUNTRACED);
    say("background read: %s\n", WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTIN ? "stopped by SIGTTIN" : "not stopped");
    int r = tcsetpgrp(0, child);
    say("tcsetpgrp(child) %s, foreground is the child: %s\n", r == 0 ? "ok" : err(errno), tcgetpgrp(0) == child ? "yes" : "no");
    signal(SIGTTOU, SIG_IGN); /* as a shell does before taking the terminal back */
    r = tcsetpgrp(0, getpgrp());
    say("tcsetpgrp(back) %s\n", r == 0 ? "ok" : err(errno));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    say("tcsetpgrp(no such group) %s\n", tcsetpgrp(0, 999999) == 0 ? "ok" : err(errno));
    signal(SIGTTOU, SIG_DFL);
}

static void ptmx(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) {
        say("posix_openpt: %s\n", err(errno));
        return;
    }
    const char *name = ptsname(m);
    int locked = open(name, O_RDWR | O_NOCTTY);
    say("slave before unlockpt: %s\n", locked >= 0 ? "opens" : err(errno));
    if (locked >= 0) close(locked);
    say("grantpt %d unlockpt %d ptsname /dev/pts/N: %s\n", grantpt(m), unlockpt(m),
        name && strncmp(name, "/dev/pts/", 9) == 0 ? "yes" : "no");
    int s = open(name, O_RDWR | O_NOCTTY);
    say("slave opens: %s, isatty %d\n", s >= 0 ? "yes" : err(errno), isatty(s));
    if (write(m, "hi\r", 3) != 3) _exit(70);
    char buf[64];
    ssize_t n = read(s, buf, sizeof buf);
    say("slave read %zd [%.*s]\n", n, (int) (n > 1 ? n - 1 : 0), buf);
    n = read(m, buf, sizeof buf);
    say("master got the echo: %s\n", n == 4 && memcmp(buf, "hi\r\n", 4) == 0 ? "hi CR NL" : "?");
    if (write(s, "out\n", 4) != 4) _exit(70);
    n = read(m, buf, sizeof buf);
    say("master read %zd%s\n", n, n == 5 && memcmp(buf, "out\r\n", 5) == 0 ? " (ONLCR)" : "");
    struct winsize ws = {.ws_row = 7, .ws_col = 9};
    ioctl(m, TIOCSWINSZ, &ws);
    memset(&ws, 0, sizeof ws);
    ioctl(s, TIOCGWINSZ, &ws);
    say("slave winsize set through master %dx%d\n", ws.ws_row, ws.ws_col);
    close(s);
    n = read(m, buf, sizeof buf);
    say("master read after the slave closed: %s\n", n < 0 ? err(errno) : "data");
    close(m);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    identity();
    canonical();
    raw_reads();
    signals();
    job_control();
    ptmx();
    say("END\n");
    return 0;
}
