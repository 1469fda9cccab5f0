/*
 * The sandbox AOT cache's training program: a small dynamically linked C program (loaded through
 * PT_INTERP, like nearly every container's programs) that walks the Sentry's busiest paths once
 * each, so that the classes and method profiles behind them are in lib/sandbox.aot before a
 * container's first syscall. Every step checks its result: the build fails on any error rather
 * than writing a cache that silently misses a path.
 *
 * Usage: train SELF-PATH   (SELF-PATH is re-executed by the fork/exec step with "child")
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond, what) do { if (!(cond)) { fprintf(stderr, "train: %s failed: %s\n", what, strerror(errno)); exit(1); } } while (0)

/* fork + execve of this same program + a pipe carrying the child's answer + wait4. */
static void fork_exec_pipe(const char *self) {
    int fds[2];
    CHECK(pipe2(fds, O_CLOEXEC) == 0, "pipe2");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
        CHECK(dup2(fds[1], 1) == 1, "dup2");
        execl(self, self, "child", (char *) NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[16] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == 6 && strcmp(buf, "child\n") == 0, "child via exec");
}

/* A file written, mapped shared, changed through the mapping, synced and read back. */
static void mmap_file(void) {
    char path[] = "/tmp/train-mmap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    CHECK(ftruncate(fd, 8192) == 0, "ftruncate");
    char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(map != MAP_FAILED, "mmap");
    memcpy(map + 4096, "mapped", 6);
    CHECK(msync(map, 8192, MS_SYNC) == 0, "msync");
    char back[6];
    CHECK(pread(fd, back, 6, 4096) == 6 && memcmp(back, "mapped", 6) == 0, "pread of mapped page");
    CHECK(munmap(map, 8192) == 0, "munmap");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 8192, "fstat");
    close(fd);
    CHECK(unlink(path) == 0, "unlink");
}

/* Threads handing a counter back and forth under a mutex and condition variable (futex). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static int counter;

static void *ping(void *arg) {
    int parity = (int) (long) arg;
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&lock);
        while (counter % 2 != parity) pthread_cond_wait(&turn, &lock);
        counter++;
        pthread_cond_broadcast(&turn);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void threads_futex(void) {
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, ping, (void *) 0L) == 0, "pthread_create");
    CHECK(pthread_create(&b, NULL, ping, (void *) 1L) == 0, "pthread_create");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CHECK(counter == 400, "futex hand-off");
}

/* epoll over an AF_UNIX socketpair. */
static void epoll_socketpair(void) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0, "epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv[1]};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0, "epoll_ctl");
    CHECK(write(sv[0], "ping", 4) == 4, "write socketpair");
    struct epoll_event got;
    CHECK(epoll_wait(ep, &got, 1, 5000) == 1 && got.data.fd == sv[1], "epoll_wait");
    char buf[4];
    CHECK(read(sv[1], buf, 4) == 4 && memcmp(buf, "ping", 4) == 0, "read socketpair");
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

/* A loopback TCP listener, a connect to it, accept, one exchange each way. */
static void tcp_loopback(void) {
    int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(srv >= 0, "socket");
    int one = 1;
    CHECK(setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(srv, (struct sockaddr *) &addr, sizeof addr) == 0, "bind");
    CHECK(listen(srv, 4) == 0, "listen");
    socklen_t len = sizeof addr;
    CHECK(getsockname(srv, (struct sockaddr *) &addr, &len) == 0, "getsockname");
    int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(cli >= 0, "socket");
    CHECK(connect(cli, (struct sockaddr *) &addr, sizeof addr) == 0, "connect");
    int acc = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
    CHECK(acc >= 0, "accept4");
    char buf[4];
    CHECK(send(cli, "ping", 4, 0) == 4 && recv(acc, buf, 4, MSG_WAITALL) == 4, "tcp send/recv");
    CHECK(send(acc, "pong", 4, 0) == 4 && recv(cli, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "pong", 4) == 0, "tcp reply");
    close(acc);
    close(cli);
    close(srv);
}

/* A signal handler run by an interval timer's SIGALRM, plus a clock read and a sleep. */
static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void) sig; alarms++; }

static void timers_signals(void) {
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
    struct itimerval it = {.it_value = {.tv_usec = 2000}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
    struct timespec start, now, pause = {.tv_nsec = 1000000};
    CHECK(clock_gettime(CLOCK_MONOTONIC, &start) == 0, "clock_gettime");
    for (int i = 0; i < 5000 && alarms == 0; i++) nanosleep(&pause, NULL);
    CHECK(alarms == 1, "SIGALRM delivery");
    CHECK(kill(getpid(), SIGALRM) == 0 && alarms == 2, "kill to self");
    CHECK(clock_gettime(CLOCK_MONOTONIC, &now) == 0, "clock_gettime");
}

/*
 * Path lookups as compilers and shells make them: a command searched along a PATH of directories
 * that mostly lack it, realpath() (a readlink per component), stat of present and missing files,
 * opens that fail. Many rounds, so the lookup code's profiles are in the cache, not just its classes.
 */
static void path_probes(const char *self) {
    static const char *dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"};
    char path[4096];
    struct stat st;
    for (int round = 0; round < 300; round++) {
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
            snprintf(path, sizeof path, "%s/jvisor-train-absent-%d", dirs[i], round % 7);
            CHECK(access(path, X_OK) == -1 && errno == ENOENT, "access of a missing command");
            CHECK(stat(path, &st) == -1 && errno == ENOENT, "stat of a missing file");
        }
        CHECK(open("/usr/lib/../lib/jvisor-train-absent", O_RDONLY) == -1 && errno == ENOENT, "open of a missing file");
        CHECK(realpath(self, path) != NULL, "realpath");
        CHECK(readlink(self, path, sizeof path) == -1 && errno == EINVAL, "readlink of a regular file");
        CHECK(lstat("/usr/bin/../lib/../bin", &st) == 0 && S_ISDIR(st.st_mode), "lstat through ..");
        CHECK(access("/usr/bin/env", X_OK) == 0, "access of a present command");
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "child") == 0) {
        fputs("child\n", stdout);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: train SELF-PATH\n");
        return 2;
    }
    fork_exec_pipe(argv[1]);
    path_probes(argv[1]);
    mmap_file();
    threads_futex();
    epoll_socketpair();
    tcp_loopback();
    timers_signals();
    puts("train: ok");
    return 0;
}
