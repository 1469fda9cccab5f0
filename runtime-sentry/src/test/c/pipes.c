/*
 * Pipes: pipe2 flags, non-blocking EAGAIN, capacity, EOF, SIGPIPE/EPIPE, poll/select/ppoll/
 * pselect readiness, FIONREAD, ESPIPE, and bulk transfer between processes.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/wait.h>

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static short revents(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, 0);
    return n == 1 ? p.revents : 0;
}

static void print_revents(const char *label, short r) {
    printf("%s:%s%s%s%s%s\n", label, r & POLLIN ? " POLLIN" : "", r & POLLOUT ? " POLLOUT" : "",
           r & POLLHUP ? " POLLHUP" : "", r & POLLERR ? " POLLERR" : "", r == 0 ? " none" : "");
}

static void flags_and_nonblocking(void) {
    SECTION("pipe2 flags and non-blocking I/O");
    int p[2];
    SHOW("pipe2(bad flags)", pipe2(p, 0x4));
    REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    FACT("read end FD_CLOEXEC", fcntl(p[0], F_GETFD) & FD_CLOEXEC);
    FACT("write end O_NONBLOCK", fcntl(p[1], F_GETFL) & O_NONBLOCK);
    FACT("read end is O_RDONLY", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
    FACT("write end is O_WRONLY", (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
    char buf[4096];
    SHOW("read empty non-blocking", read(p[0], buf, sizeof buf));
    VALUE("read of 0 bytes", read(p[0], buf, 0));
    SHOW("write to read end", write(p[0], "x", 1));
    SHOW("read from write end", read(p[1], buf, 1));
    SHOW("lseek on pipe", lseek(p[0], 0, SEEK_SET));
    SHOW("pread on pipe", pread(p[0], buf, 1, 0));
    VALUE("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));

    memset(buf, 'a', sizeof buf);
    long total = 0;
    ssize_t n;
    while ((n = write(p[1], buf, sizeof buf)) > 0) total += n;
    printf("filled non-blocking pipe with %ld bytes, then %s\n", total, errno_name(errno));
    print_revents("full pipe, write end", revents(p[1], POLLOUT));
    int queued = -1;
    ioctl(p[0], FIONREAD, &queued);
    VALUE("FIONREAD on the full pipe", queued);
    long drained = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) drained += n;
    printf("drained %ld bytes, then %s\n", drained, errno_name(errno));

    REQUIRE(fcntl(p[1], F_SETFL, 0) == 0);
    FACT("F_SETFL cleared O_NONBLOCK", !(fcntl(p[1], F_GETFL) & O_NONBLOCK));
    close(p[0]);
    close(p[1]);
}

static void readiness(void) {
    SECTION("poll and select");
    int p[2];
    REQUIRE(pipe(p) == 0);
    print_revents("empty, read end", revents(p[0], POLLIN));
    print_revents("empty, write end", revents(p[1], POLLOUT));
    REQUIRE(write(p[1], "hello", 5) == 5);
    print_revents("5 bytes, read end", revents(p[0], POLLIN));

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {0, 0};
    int n = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("select: %d ready, read end %s, write end %s\n", n, FD_ISSET(p[0], &r) ? "set" : "clear",
           FD_ISSET(p[1], &w) ? "set" : "clear");

    char buf[8];
    REQUIRE(read(p[0], buf, sizeof buf) == 5);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval short_wait = {0, 20 * 1000};
    VALUE("select on empty pipe, 20ms", select(p[0] + 1, &r, NULL, NULL, &short_wait));
    struct timespec ts = {0, 20 * 1000 * 1000};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    VALUE("pselect on empty pipe, 20ms", pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL));
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    VALUE("ppoll on empty pipe, 20ms", ppoll(&pf, 1, &ts, NULL));
    struct pollfd closed_fd = {.fd = 1000, .events = POLLIN};
    VALUE("poll on a closed fd returns", poll(&closed_fd, 1, 0));
    FACT("  with POLLNVAL", closed_fd.revents & POLLNVAL);
    struct pollfd ignored = {.fd = -1, .events = POLLIN, .revents = 7};
    VALUE("poll on fd -1 returns", poll(&ignored, 1, 0));
    FACT("  with revents cleared", ignored.revents == 0);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    SHOW("select with negative nfds", select(-1, &r, NULL, NULL, &tv));

    close(p[1]);
    print_revents("writer closed, read end", revents(p[0], POLLIN));
    VALUE("read at EOF", read(p[0], buf, sizeof buf));
    close(p[0]);

    REQUIRE(pipe(p) == 0);
    close(p[0]);
    print_revents("reader closed, write end", revents(p[1], POLLOUT));
    close(p[1]);
}

static void broken_pipes(void) {
    SECTION("SIGPIPE and EPIPE");
    int p[2];
    REQUIRE(pipe(p) == 0);
    close(p[0]);
    signal(SIGPIPE, on_sigpipe);
    SHOW("write with reader gone, handler installed", write(p[1], "x", 1));
    VALUE("  SIGPIPE handler ran", sigpipes);
    signal(SIGPIPE, SIG_IGN);
    SHOW("write with reader gone, SIGPIPE ignored", write(p[1], "x", 1));
    signal(SIGPIPE, SIG_DFL);
    pid_t c = fork_flushed();
    if (c == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    int status;
    REQUIRE(waitpid(c, &status, 0) == c);
    printf("write with reader gone, default action: %s\n",
           WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE ? "killed by PIPE" : "survived");
    close(p[1]);
}

/* A child uppercases whatever arrives on one pipe and sends it back on another. */
static void across_processes(void) {
    SECTION("between processes");
    int down[2], up[2];
    REQUIRE(pipe(down) == 0 && pipe(up) == 0);
    pid_t c = fork_flushed();
    if (c == 0) {
        close(down[1]);
        close(up[0]);
        char buf[1024];
        ssize_t n;
        while ((n = read(down[0], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
            write(up[1], buf, n);
        }
        _exit(n == 0 ? 0 : 1);
    }
    close(down[0]);
    close(up[1]);
    REQUIRE(write(down[1], "round trip", 10) == 10);
    char reply[16] = {0};
    REQUIRE(read(up[0], reply, 10) == 10);
    printf("echo: %s\n", reply);

    /* 4 MiB in odd-sized writes; the checksum proves nothing was lost, duplicated or reordered. */
    static char block[7919];
    unsigned long sent_sum = 0, got_sum = 0, got = 0, sent = 0;
    pid_t writer = fork_flushed();
    if (writer == 0) {
        close(up[0]);
        for (unsigned long i = 0; sent < 4ul << 20; i++) {
            for (size_t j = 0; j < sizeof block; j++) block[j] = 'a' + (i + j) % 26;
            size_t len = sizeof block;
            if (sent + len > 4ul << 20) len = (4ul << 20) - sent;
            REQUIRE(write(down[1], block, len) == (ssize_t)len);
            sent += len;
        }
        _exit(0);
    }
    close(down[1]);
    for (unsigned long i = 0; sent < 4ul << 20; i++) {
        for (size_t j = 0; j < sizeof block; j++) block[j] = 'a' + (i + j) % 26;
        size_t len = sizeof block;
        if (sent + len > 4ul << 20) len = (4ul << 20) - sent;
        for (size_t j = 0; j < len; j++) sent_sum = sent_sum * 31 + (unsigned char)(block[j] - 32);
        sent += len;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(up[0], buf, sizeof buf)) > 0) {
        for (ssize_t j = 0; j < n; j++) got_sum = got_sum * 31 + (unsigned char)buf[j];
        got += n;
    }
    printf("bulk transfer: %lu bytes, checksum %s\n", got, got_sum == sent_sum ? "matches" : "differs");
    int status;
    REQUIRE(waitpid(writer, &status, 0) == writer && WIFEXITED(status));
    REQUIRE(waitpid(c, &status, 0) == c);
    printf("echo child: exited %d\n", WEXITSTATUS(status));
}

/*
 * A writer blocked on a full pipe: a large write completes while the reader drains it in small
 * reads, and a blocked writer learns at once (EPIPE, nothing written) when the reader goes away.
 */
static void blocked_writers(void) {
    SECTION("blocked writers");
    int p[2];
    REQUIRE(pipe(p) == 0);
    pid_t c = fork_flushed();
    if (c == 0) {
        close(p[0]);
        static char big[200000];
        memset(big, 'w', sizeof big);
        ssize_t n = write(p[1], big, sizeof big);
        _exit(n == (ssize_t)sizeof big ? 0 : 1);
    }
    close(p[1]);
    char small[512];
    long total = 0;
    ssize_t n;
    while ((n = read(p[0], small, sizeof small)) > 0) total += n;
    int status;
    REQUIRE(waitpid(c, &status, 0) == c);
    printf("200000-byte write read in 512-byte reads: %ld bytes, writer exited %d\n", total, WEXITSTATUS(status));
    close(p[0]);

    int q[2], ready[2];
    REQUIRE(pipe(q) == 0 && pipe(ready) == 0);
    c = fork_flushed();
    if (c == 0) {
        close(q[0]);
        close(ready[0]);
        signal(SIGPIPE, SIG_IGN);
        static char fill[65536];
        REQUIRE(write(q[1], fill, sizeof fill) == (ssize_t)sizeof fill);   /* the pipe is full now */
        REQUIRE(write(ready[1], "r", 1) == 1);
        static char more[100000];
        ssize_t m = write(q[1], more, sizeof more);   /* blocks until the reader goes */
        _exit(m == -1 && errno == EPIPE ? 0 : 1);
    }
    close(q[1]);
    close(ready[1]);
    char r;
    REQUIRE(read(ready[0], &r, 1) == 1);
    usleep(100 * 1000);
    close(q[0]);
    REQUIRE(waitpid(c, &status, 0) == c);
    printf("writer blocked on a full pipe, reader closed: %s\n",
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "EPIPE" : "something else");
    close(ready[0]);
}

int main(void) {
    flags_and_nonblocking();
    readiness();
    broken_pipes();
    blocked_writers();
    across_processes();
    return 0;
}
