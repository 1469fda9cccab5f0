/* AF_UNIX sockets: pairs, passing an fd between processes, listen/accept on a path and an abstract name, datagrams, shutdown. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void send_fd(int sock, int fd) {
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    char buf[CMSG_SPACE(sizeof(int))];
    memset(buf, 0, sizeof buf);
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    printf("sendmsg with SCM_RIGHTS: %zd\n", sendmsg(sock, &m, 0));
}

static int recv_fd(int sock) {
    char byte;
    struct iovec iov = {&byte, 1};
    char buf[CMSG_SPACE(sizeof(int))];
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    if (recvmsg(sock, &m, 0) != 1) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_type != SCM_RIGHTS) return -2;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2];
    printf("socketpair: %d\n", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    printf("write: %zd\n", write(sv[0], "hello", 5));
    char buf[64] = {0};
    printf("read: %zd %s\n", read(sv[1], buf, sizeof buf), buf);

    int p[2];
    pipe(p);
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        int fd = recv_fd(sv[1]);
        char msg[32] = {0};
        ssize_t n = read(fd, msg, sizeof msg);
        // Speaks after the parent has printed its send: one output order, natively and sandboxed.
        char go;
        read(sv[1], &go, 1);
        printf("child got an fd: %s, read through it: %zd %s\n", fd >= 0 ? "yes" : "no", n, msg);
        _exit(0);
    }
    write(p[1], "via pipe", 8);
    close(p[1]);
    send_fd(sv[0], p[0]);
    write(sv[0], "g", 1);
    close(p[0]);
    int st;
    waitpid(child, &st, 0);

    struct ucred cred;
    socklen_t len = sizeof cred;
    printf("SO_PEERCRED: %d uid %d\n", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len), cred.uid);
    int type;
    len = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
    printf("SO_TYPE stream: %s\n", type == SOCK_STREAM ? "yes" : "no");
    shutdown(sv[1], SHUT_WR);
    printf("read after peer SHUT_WR: %zd\n", read(sv[0], buf, sizeof buf));
    close(sv[1]);
    ssize_t w = write(sv[0], "x", 1);
    printf("write to closed peer: %s\n", w == -1 && errno == EPIPE ? "EPIPE" : "?");
    close(sv[0]);

    /* listen / connect / accept on a path */
    unlink("/tmp/sock");
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "/tmp/sock");
    printf("bind: %d\n", bind(srv, (struct sockaddr *) &a, sizeof a));
    printf("bind again: %s\n", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *) &a, sizeof a) == -1 && errno == EADDRINUSE ? "EADDRINUSE" : "?");
    printf("listen: %d\n", listen(srv, 4));
    child = fork();
    if (child == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        int r = connect(c, (struct sockaddr *) &a, sizeof a);
        write(c, "ping", 4);
        char b2[8] = {0};
        read(c, b2, sizeof b2);
        printf("client connect %d, got %s\n", r, b2);
        _exit(0);
    }
    int conn = accept(srv, NULL, NULL);
    char b3[8] = {0};
    read(conn, b3, 4);
    printf("server accepted, got %s\n", b3);
    write(conn, "pong", 4);
    waitpid(child, &st, 0);
    close(conn);
    close(srv);
    struct sockaddr_un none = {.sun_family = AF_UNIX};
    strcpy(none.sun_path, "/tmp/nobody-listens");
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("connect to a missing path: %s\n", connect(c2, (struct sockaddr *) &none, sizeof none) == -1 && errno == ENOENT ? "ENOENT" : "?");

    /* abstract datagrams */
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0jvisor-test", 12);
    socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + 12;
    printf("bind abstract: %d\n", bind(d1, (struct sockaddr *) &ab, ablen));
    printf("sendto: %zd\n", sendto(d2, "one", 3, 0, (struct sockaddr *) &ab, ablen));
    printf("sendto: %zd\n", sendto(d2, "two!", 4, 0, (struct sockaddr *) &ab, ablen));
    char b4[2];
    printf("recv keeps boundaries, truncates: %zd\n", recv(d1, b4, 2, 0));
    printf("next datagram: %zd\n", recv(d1, buf, sizeof buf, 0));
    printf("empty, non-blocking: %s\n", recv(d1, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN ? "EAGAIN" : "?");
    return 0;
}
