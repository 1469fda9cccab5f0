/* epoll over a pipe and an eventfd: readiness, data, oneshot, timeouts, eventfd semantics. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(void) {
    int p[2];
    pipe(p);
    int efd = eventfd(0, EFD_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1111};
    printf("add pipe: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 0x2222;
    printf("add eventfd: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    printf("add twice: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == -1 && errno == EEXIST ? "EEXIST" : "?");
    struct epoll_event out[4];
    printf("nothing ready, 50 ms timeout: %d\n", epoll_wait(ep, out, 4, 50));
    uint64_t one = 3;
    write(efd, &one, 8);
    int n = epoll_wait(ep, out, 4, 1000);
    printf("after eventfd write: %d event(s), data %llx, EPOLLIN %s\n", n, (unsigned long long) out[0].data.u64,
           (out[0].events & EPOLLIN) ? "yes" : "no");
    printf("oneshot disarmed: %d\n", epoll_wait(ep, out, 4, 0));
    uint64_t v = 0;
    ssize_t got = read(efd, &v, 8);
    printf("eventfd read: %zd value %llu\n", got, (unsigned long long) v);
    printf("eventfd read empty: %s\n", read(efd, &v, 8) == -1 && errno == EAGAIN ? "EAGAIN" : "?");
    write(p[1], "x", 1);
    n = epoll_wait(ep, out, 4, 1000);
    printf("after pipe write: %d event(s), data %llx\n", n, (unsigned long long) out[0].data.u64);
    close(p[1]);
    char c;
    read(p[0], &c, 1);
    n = epoll_wait(ep, out, 4, 1000);
    printf("writer closed: %d event(s), EPOLLHUP %s\n", n, (out[0].events & EPOLLHUP) ? "yes" : "no");
    int del = epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    int again = epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    printf("del: %d, del again: %s\n", del, again == -1 && errno == ENOENT ? "ENOENT" : "?");
    ev.events = EPOLLIN;
    int file = open("/bin/sh", O_RDONLY);
    int onfile = epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev);
    printf("epoll on a regular file: %s\n", onfile == -1 && errno == EPERM ? "EPERM" : "?");
    return 0;
}
