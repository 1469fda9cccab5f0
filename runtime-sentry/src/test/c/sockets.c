/*
 * Sockets inside one machine: AF_UNIX stream, datagram and seqpacket (pairs, paths, abstract
 * names, fd and credential passing, shutdown) and AF_INET/AF_INET6 over loopback (listen,
 * connect, accept4, datagrams, names, options). Ports are ephemeral and abstract names carry
 * the pid, so concurrent native runs never collide; neither is printed.
 */
#include "behaviour.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

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
    VALUE("sendmsg SCM_RIGHTS", sendmsg(sock, &m, 0));
}

static int recv_fd(int sock) {
    char byte;
    struct iovec iov = {&byte, 1};
    char buf[CMSG_SPACE(sizeof(int))];
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    if (recvmsg(sock, &m, 0) != 1) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

static void unix_pairs(void) {
    SECTION("socketpair");
    int sv[2];
    SHOW("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    VALUE("write", write(sv[0], "hello", 5));
    char buf[64] = {0};
    VALUE("read", read(sv[1], buf, sizeof buf));
    printf("  got %s\n", buf);
    int type = 0, domain = 0, err = -1;
    socklen_t len = sizeof type;
    SHOW("getsockopt SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
    FACT("  stream", type == SOCK_STREAM);
    len = sizeof domain;
    SHOW("getsockopt SO_DOMAIN", getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &domain, &len));
    FACT("  AF_UNIX", domain == AF_UNIX);
    len = sizeof err;
    SHOW("getsockopt SO_ERROR", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len));
    VALUE("  error", err);
    struct ucred cred;
    len = sizeof cred;
    SHOW("getsockopt SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
    FACT("  peer is this process", cred.pid == getpid() && cred.uid == getuid());
    SHOW("getsockopt unknown level", getsockopt(sv[0], 12345, SO_TYPE, &type, &len));
    SHOW("getsockopt on a pipe fd", getsockopt(1, SOL_SOCKET, SO_TYPE, &type, &len));

    int p[2];
    REQUIRE(pipe(p) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        int fd = recv_fd(sv[1]);
        char msg[32] = {0};
        ssize_t n = fd >= 0 ? read(fd, msg, sizeof msg) : -1;
        printf("child: received an fd %s, read through it %zd bytes: %s\n", fd >= 0 ? "yes" : "no", n, msg);
        flush_all();
        _exit(0);
    }
    REQUIRE(write(p[1], "via pipe", 8) == 8);
    close(p[1]);
    send_fd(sv[0], p[0]);
    close(p[0]);
    REQUIRE(waitpid(child, NULL, 0) == child);

    SHOW("shutdown SHUT_WR", shutdown(sv[1], SHUT_WR));
    VALUE("read after peer SHUT_WR", read(sv[0], buf, sizeof buf));
    SHOW("shutdown bad how", shutdown(sv[1], 7));
    SHOW("shutdown a pipe", shutdown(1, SHUT_RD));
    close(sv[1]);
    signal(SIGPIPE, SIG_IGN);
    SHOW("write to a closed peer", write(sv[0], "x", 1));
    SHOW("send MSG_NOSIGNAL to a closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
    close(sv[0]);

    SHOW("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    VALUE("send 3", send(sv[0], "abc", 3, 0));
    VALUE("send 5", send(sv[0], "defgh", 5, 0));
    VALUE("recv keeps records, truncates to 2", recv(sv[1], buf, 2, 0));
    VALUE("recv next record", recv(sv[1], buf, sizeof buf, 0));
    close(sv[0]);
    close(sv[1]);
    SHOW("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

static void unix_credentials(void) {
    SECTION("SCM_CREDENTIALS");
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    int on = 1;
    SHOW("setsockopt SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int got = 0;
    socklen_t len = sizeof got;
    SHOW("getsockopt SO_PASSCRED", getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &got, &len));
    VALUE("  value", got);
    VALUE("send", send(sv[0], "c", 1, 0));
    char byte, cbuf[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    VALUE("recvmsg", recvmsg(sv[1], &m, 0));
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    FACT("  carries SCM_CREDENTIALS", c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS);
    if (c) {
        struct ucred u;
        memcpy(&u, CMSG_DATA(c), sizeof u);
        FACT("  of this process", u.pid == getpid() && u.uid == getuid() && u.gid == getgid());
    }
    close(sv[0]);
    close(sv[1]);
}

static void many_messages(void) {
    SECTION("sendmmsg and recvmmsg");
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    char *texts[] = {"one", "three", "seven!!"};
    struct iovec out_iov[3];
    struct mmsghdr out[3];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) {
        out_iov[i].iov_base = texts[i];
        out_iov[i].iov_len = strlen(texts[i]);
        out[i].msg_hdr.msg_iov = &out_iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    VALUE("sendmmsg three datagrams", sendmmsg(sv[0], out, 3, 0));
    printf("  msg_len %u %u %u\n", out[0].msg_len, out[1].msg_len, out[2].msg_len);
    char bufs[5][16];
    struct iovec in_iov[5];
    struct mmsghdr in[5];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 5; i++) {
        in_iov[i].iov_base = bufs[i];
        in_iov[i].iov_len = sizeof bufs[i];
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    VALUE("recvmmsg MSG_WAITFORONE, room for five", recvmmsg(sv[1], in, 5, MSG_WAITFORONE, NULL));
    printf("  msg_len %u %u %u\n", in[0].msg_len, in[1].msg_len, in[2].msg_len);
    SHOW("recvmmsg MSG_DONTWAIT with nothing queued", recvmmsg(sv[1], in, 5, MSG_DONTWAIT, NULL));
    struct timespec bad = {0, -1};
    SHOW("recvmmsg bad timeout", recvmmsg(sv[1], in, 5, MSG_DONTWAIT, &bad));
    SHOW("sendmmsg on a pipe fd", sendmmsg(1, out, 1, 0));
    VALUE("sendmmsg of zero messages", sendmmsg(sv[0], out, 0, 0));
    close(sv[0]);
    close(sv[1]);
}

static void unix_paths(void) {
    SECTION("AF_UNIX by path");
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(srv >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "sock");
    SHOW("bind", bind(srv, (struct sockaddr *)&a, sizeof a));
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW("bind the same path again", bind(other, (struct sockaddr *)&a, sizeof a));
    close(other);
    SHOW("listen", listen(srv, 4));
    struct sockaddr_un got = {0};
    socklen_t len = sizeof got;
    SHOW("getsockname", getsockname(srv, (struct sockaddr *)&got, &len));
    printf("  name %s\n", got.sun_path);
    pid_t child = fork_flushed();
    if (child == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        int r = connect(c, (struct sockaddr *)&a, sizeof a);
        char b[8] = {0};
        if (r == 0 && write(c, "ping", 4) == 4 && read(c, b, 4) == 4)
            printf("client: connected, got %s\n", b);
        else
            printf("client: %s\n", errno_name(errno));
        flush_all();
        _exit(0);
    }
    struct sockaddr_un peer = {0};
    len = sizeof peer;
    int conn = accept(srv, (struct sockaddr *)&peer, &len);
    FACT("accept", conn >= 0);
    FACT("  unnamed client", len == offsetof(struct sockaddr_un, sun_path));
    char b[8] = {0};
    VALUE("  read", read(conn, b, 4));
    printf("  got %s\n", b);
    VALUE("  write", write(conn, "pong", 4));
    len = sizeof peer;
    SHOW("getpeername of the unnamed client", getpeername(conn, (struct sockaddr *)&peer, &len));
    REQUIRE(waitpid(child, NULL, 0) == child);
    close(conn);
    SHOW("getpeername of a listener", getpeername(srv, (struct sockaddr *)&peer, &len));
    int nb = fcntl(srv, F_GETFL);
    REQUIRE(fcntl(srv, F_SETFL, nb | O_NONBLOCK) == 0);
    SHOW("accept with nothing pending", accept(srv, NULL, NULL));
    close(srv);
    struct sockaddr_un none = {.sun_family = AF_UNIX};
    strcpy(none.sun_path, "nobody-listens");
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW("connect to a missing path", connect(c, (struct sockaddr *)&none, sizeof none));
    SHOW("connect to a bound path nobody listens on", connect(c, (struct sockaddr *)&a, sizeof a));
    close(c);
    REQUIRE(unlink("sock") == 0);
}

static void unix_abstract_datagrams(void) {
    SECTION("AF_UNIX abstract datagrams");
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(d1 >= 0 && d2 >= 0);
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    int n = snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "jvisor-behaviour-%d", getpid());
    socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + 1 + n;
    SHOW("bind abstract", bind(d1, (struct sockaddr *)&ab, ablen));
    VALUE("sendto", sendto(d2, "one", 3, 0, (struct sockaddr *)&ab, ablen));
    VALUE("sendto", sendto(d2, "two!", 4, 0, (struct sockaddr *)&ab, ablen));
    char buf[16];
    struct sockaddr_un from;
    socklen_t fromlen = sizeof from;
    VALUE("recvfrom keeps boundaries, truncates", recvfrom(d1, buf, 2, 0, (struct sockaddr *)&from, &fromlen));
    VALUE("recv the next datagram", recv(d1, buf, sizeof buf, 0));
    SHOW("recv MSG_DONTWAIT on an empty socket", recv(d1, buf, sizeof buf, MSG_DONTWAIT));
    SHOW("connect", connect(d2, (struct sockaddr *)&ab, ablen));
    VALUE("send on the connected socket", send(d2, "three", 5, 0));
    VALUE("recv", recv(d1, buf, sizeof buf, 0));
    close(d1);
    close(d2);
}

/* A loopback stream round trip in family fam; addr/len describe the wildcard port 0 address. */
static void inet_stream(const char *label, int fam, struct sockaddr *addr, socklen_t alen) {
    printf("-- %s stream\n", label);
    int srv = socket(fam, SOCK_STREAM, 0);
    REQUIRE(srv >= 0);
    int on = 1;
    SHOW("setsockopt SO_REUSEADDR", setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    SHOW("bind port 0", bind(srv, addr, alen));
    SHOW("listen", listen(srv, 8));
    struct sockaddr_storage name;
    socklen_t nlen = sizeof name;
    SHOW("getsockname", getsockname(srv, (struct sockaddr *)&name, &nlen));
    in_port_t port = fam == AF_INET ? ((struct sockaddr_in *)&name)->sin_port : ((struct sockaddr_in6 *)&name)->sin6_port;
    FACT("  a port was chosen", port != 0);
    int c = socket(fam, SOCK_STREAM, 0);
    SHOW("setsockopt TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on));
    SHOW("connect", connect(c, (struct sockaddr *)&name, nlen));
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int conn = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
    FACT("accept4", conn >= 0);
    FACT("  peer family", peer.ss_family == fam);
    FACT("  O_NONBLOCK set", (fcntl(conn, F_GETFL) & O_NONBLOCK) != 0);
    FACT("  FD_CLOEXEC set", (fcntl(conn, F_GETFD) & FD_CLOEXEC) != 0);
    char buf[32] = {0};
    SHOW("read with nothing sent", read(conn, buf, sizeof buf));
    VALUE("sendto", sendto(c, "hello tcp", 9, 0, NULL, 0));
    VALUE("recvfrom", recvfrom(conn, buf, sizeof buf, MSG_WAITALL, NULL, NULL));
    printf("  got %s\n", buf);
    plen = sizeof peer;
    SHOW("getpeername", getpeername(c, (struct sockaddr *)&peer, &plen));
    FACT("  is the listener's address", plen == nlen && memcmp(&peer, &name, nlen) == 0);
    SHOW("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    int flags = fcntl(conn, F_GETFL);
    REQUIRE(fcntl(conn, F_SETFL, flags & ~O_NONBLOCK) == 0);
    VALUE("read EOF after SHUT_WR", read(conn, buf, sizeof buf));
    close(conn);
    close(c);
    int c2 = socket(fam, SOCK_STREAM, 0);
    close(srv);
    SHOW("connect after the listener closed", connect(c2, (struct sockaddr *)&name, nlen));
    close(c2);
}

static void inet_loopback(void) {
    SECTION("loopback inet");
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    inet_stream("AF_INET", AF_INET, (struct sockaddr *)&v4, sizeof v4);
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = 0, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    inet_stream("AF_INET6", AF_INET6, (struct sockaddr *)&v6, sizeof v6);

    printf("-- AF_INET datagrams\n");
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(a >= 0 && b >= 0);
    SHOW("bind port 0", bind(a, (struct sockaddr *)&v4, sizeof v4));
    struct sockaddr_in name;
    socklen_t nlen = sizeof name;
    SHOW("getsockname", getsockname(a, (struct sockaddr *)&name, &nlen));
    VALUE("sendto", sendto(b, "dgram", 5, 0, (struct sockaddr *)&name, nlen));
    char buf[16] = {0};
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    VALUE("recvfrom", recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen));
    FACT("  from loopback", from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    int sz = 0;
    socklen_t slen = sizeof sz;
    SHOW("getsockopt SO_RCVBUF", getsockopt(a, SOL_SOCKET, SO_RCVBUF, &sz, &slen));
    FACT("  positive", sz > 0);
    close(a);
    close(b);
    SHOW("socket AF_UNIX bad type", socket(AF_UNIX, 99, 0));
}

int main(void) {
    enter_scratch_dir();
    unix_pairs();
    unix_credentials();
    many_messages();
    unix_paths();
    unix_abstract_datagrams();
    inet_loopback();
    leave_scratch_dir();
    return 0;
}
