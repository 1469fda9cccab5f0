/*
 * epoll beyond the basics: what a watched descriptor's close does (and does not do while a
 * duplicate keeps the file open), hang-up and error events, EPOLLRDHUP, EPOLLONESHOT re-arming,
 * EPOLLEXCLUSIVE's rules, nested epoll sets and loops, files epoll refuses, the user data it
 * returns, and an epoll set shared across fork.
 */
#include "behaviour.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* The events epoll reports for a set now (0 when none), and their count. */
static int wait_one(int ep, struct epoll_event *got) {
    return epoll_wait(ep, got, 1, 0);
}

static void show_events(const char *label, int ep) {
    struct epoll_event got[4];
    int n = epoll_wait(ep, got, 4, 0);
    printf("%s: %d event(s)", label, n);
    for (int i = 0; i < n; i++) {
        printf(" [data %lu:%s%s%s%s%s]", (unsigned long)got[i].data.u64,
               got[i].events & EPOLLIN ? " IN" : "", got[i].events & EPOLLOUT ? " OUT" : "",
               got[i].events & EPOLLHUP ? " HUP" : "", got[i].events & EPOLLERR ? " ERR" : "",
               got[i].events & EPOLLRDHUP ? " RDHUP" : "");
    }
    printf("\n");
}

static int watch(int ep, int fd, unsigned events, unsigned long data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void closing(void) {
    SECTION("closing a watched descriptor");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    REQUIRE(ep >= 0 && pipe(p) == 0);
    REQUIRE(watch(ep, p[0], EPOLLIN, 7) == 0);
    REQUIRE(write(p[1], "x", 1) == 1);
    show_events("readable", ep);
    int dup = fcntl(p[0], F_DUPFD, 10);
    REQUIRE(dup >= 0);
    close(p[0]);
    show_events("closed, but a duplicate keeps the file open", ep);
    SHOW("EPOLL_CTL_DEL by the closed number", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    close(dup);
    show_events("the last descriptor closed", ep);
    SHOW("EPOLL_CTL_DEL after that", epoll_ctl(ep, EPOLL_CTL_DEL, dup, NULL));
    close(p[1]);
    close(ep);
}

static void hangups(void) {
    SECTION("hang-ups and errors");
    int ep = epoll_create1(0);
    int p[2];
    REQUIRE(ep >= 0 && pipe(p) == 0);
    REQUIRE(watch(ep, p[0], EPOLLIN, 1) == 0);
    close(p[1]);
    show_events("pipe reader, writer closed", ep);
    close(p[0]);
    REQUIRE(pipe(p) == 0);
    REQUIRE(watch(ep, p[1], EPOLLOUT, 2) == 0);
    close(p[0]);
    show_events("pipe writer, reader closed", ep);
    close(p[1]);

    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    REQUIRE(watch(ep, sv[0], EPOLLIN | EPOLLRDHUP, 3) == 0);
    show_events("socket, nothing yet", ep);
    REQUIRE(shutdown(sv[1], SHUT_WR) == 0);
    show_events("peer shut down writing", ep);
    close(sv[1]);
    show_events("peer closed", ep);
    close(sv[0]);
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    REQUIRE(watch(ep, sv[0], 0, 4) == 0);
    show_events("no events asked for", ep);
    close(sv[1]);
    show_events("no events asked for, peer closed", ep);
    close(sv[0]);
    close(ep);
}

static void oneshot_and_exclusive(void) {
    SECTION("EPOLLONESHOT and EPOLLEXCLUSIVE");
    int ep = epoll_create1(0);
    int efd = eventfd(1, 0);
    REQUIRE(ep >= 0 && efd >= 0);
    REQUIRE(watch(ep, efd, EPOLLIN | EPOLLONESHOT, 5) == 0);
    show_events("one-shot: first wait", ep);
    show_events("one-shot: disarmed", ep);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 6};
    SHOW("re-arm with EPOLL_CTL_MOD", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show_events("re-armed", ep);
    SHOW("EPOLL_CTL_DEL", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

    SHOW("EPOLLEXCLUSIVE on add", watch(ep, efd, EPOLLIN | EPOLLEXCLUSIVE, 8));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    SHOW("EPOLLEXCLUSIVE on mod", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    ev.events = EPOLLIN;
    SHOW("plain mod of an exclusive watch", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show_events("exclusive watch", ep);
    SHOW("EPOLL_CTL_DEL", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    SHOW("EPOLLEXCLUSIVE with EPOLLONESHOT", watch(ep, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 9));
    close(efd);
    close(ep);
}

static void nesting(void) {
    SECTION("epoll in epoll");
    int outer = epoll_create1(0), inner = epoll_create1(0);
    int efd = eventfd(0, 0);
    REQUIRE(outer >= 0 && inner >= 0 && efd >= 0);
    REQUIRE(watch(inner, efd, EPOLLIN, 10) == 0);
    SHOW("watch an epoll set", watch(outer, inner, EPOLLIN, 11));
    show_events("outer, inner quiet", outer);
    uint64_t one = 1;
    REQUIRE(write(efd, &one, 8) == 8);
    show_events("outer, inner ready", outer);
    show_events("inner", inner);
    uint64_t drained;
    REQUIRE(read(efd, &drained, 8) == 8);
    show_events("outer, inner drained", outer);
    for (int round = 0; round < 2; round++) {
        /* A blocked wait on the outer set (epoll_wait, then poll) wakes when the inner set's file does. */
        pid_t child = fork_flushed();
        if (child == 0) {
            usleep(50 * 1000);
            REQUIRE(write(efd, &one, 8) == 8);
            _exit(0);
        }
        struct epoll_event got;
        struct pollfd pfd = {.fd = outer, .events = POLLIN};
        int n = round == 0 ? epoll_wait(outer, &got, 1, 5000) : poll(&pfd, 1, 5000);
        printf("%s on the outer set woke: %d\n", round == 0 ? "epoll_wait" : "poll", n);
        await_child(child);
        REQUIRE(read(efd, &drained, 8) == 8);
    }
    SHOW("a loop", watch(inner, outer, EPOLLIN, 12));
    SHOW("watch itself", watch(outer, outer, EPOLLIN, 13));
    int p[2];
    REQUIRE(pipe(p) == 0);
    int file = open("/proc/self/exe", O_RDONLY);
    REQUIRE(file >= 0);
    SHOW("a regular file", watch(outer, file, EPOLLIN, 14));
    SHOW("a closed descriptor", watch(outer, 999, EPOLLIN, 15));
    close(file);
    close(p[0]);
    close(p[1]);
    close(efd);
    close(inner);
    close(outer);
}

static void user_data_and_limits(void) {
    SECTION("user data and maxevents");
    int ep = epoll_create1(0);
    REQUIRE(ep >= 0);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = eventfd(1, 0);
        REQUIRE(fds[i] >= 0);
        REQUIRE(watch(ep, fds[i], EPOLLIN, 0xfeedface00000000ul + i) == 0);
    }
    struct epoll_event got[3];
    int n = epoll_wait(ep, got, 3, 0);
    VALUE("all three ready", n);
    unsigned long seen = 0;
    for (int i = 0; i < n; i++) {
        if ((got[i].data.u64 >> 32) == 0xfeedface) seen |= 1ul << (got[i].data.u64 & 0xff);
    }
    FACT("each came back with its 64-bit data", seen == 7);
    VALUE("maxevents 1", wait_one(ep, got));
    SHOW("maxevents -1", syscall(SYS_epoll_wait, ep, got, -1, 0));
    SHOW("a huge maxevents", syscall(SYS_epoll_wait, ep, got, 1 << 30, 0));
    for (int i = 0; i < 3; i++) close(fds[i]);
    close(ep);
}

static void across_fork(void) {
    SECTION("one epoll set in two processes");
    int ep = epoll_create1(0);
    int p[2];
    REQUIRE(ep >= 0 && pipe(p) == 0);
    REQUIRE(watch(ep, p[0], EPOLLIN, 21) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        int sv[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        printf("child adds to the shared set: %s\n", watch(ep, sv[0], EPOLLOUT, 22) == 0 ? "ok" : errno_name(errno));
        flush_all();
        _exit(0);
    }
    await_child(child);
    show_events("the parent sees the child's watch", ep);
    REQUIRE(write(p[1], "x", 1) == 1);
    struct epoll_event got[4];
    VALUE("and its own", epoll_wait(ep, got, 4, 0));
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void) {
    closing();
    hangups();
    oneshot_and_exclusive();
    nesting();
    user_data_and_limits();
    across_fork();
    return 0;
}
