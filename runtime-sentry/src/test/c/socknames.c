/*
 * Names of AF_UNIX sockets in the file tree: binding over an existing file or twice, the socket
 * file's type and mode under the umask, connecting to a missing path, to a plain file, to a bound
 * socket that does not listen, listening unbound, autobind's abstract name, a listening socket
 * whose path was unlinked, and the permissions a bind and a connect need. Everything happens in
 * a private scratch directory.
 */
#include "behaviour.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static socklen_t addr_of(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static int bound(int type, const char *path) {
    int s = socket(AF_UNIX, type, 0);
    REQUIRE(s >= 0);
    struct sockaddr_un a;
    socklen_t len = addr_of(&a, path);
    return bind(s, (struct sockaddr *)&a, len) == 0 ? s : (close(s), -1);
}

static int connect_to(int type, const char *path) {
    int s = socket(AF_UNIX, type, 0);
    REQUIRE(s >= 0);
    struct sockaddr_un a;
    socklen_t len = addr_of(&a, path);
    int rc = connect(s, (struct sockaddr *)&a, len);
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

static void binding(void) {
    SECTION("bind");
    mode_t old = umask(022);
    int s = bound(SOCK_STREAM, "sock");
    FACT("bind", s >= 0);
    struct stat st;
    REQUIRE(stat("sock", &st) == 0);
    FACT("  the name is a socket", S_ISSOCK(st.st_mode));
    printf("  mode %o under umask 022\n", st.st_mode & 07777);
    struct sockaddr_un a;
    socklen_t len = addr_of(&a, "other");
    SHOW("bind the same socket again", bind(s, (struct sockaddr *)&a, len));
    int t = bound(SOCK_STREAM, "sock");
    printf("bind another socket to the same path: %s\n", t >= 0 ? "ok" : errno_name(errno));
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    t = bound(SOCK_STREAM, "file");
    printf("bind over a plain file: %s\n", t >= 0 ? "ok" : errno_name(errno));
    t = bound(SOCK_STREAM, "missing/sock");
    printf("bind in a missing directory: %s\n", t >= 0 ? "ok" : errno_name(errno));
    umask(old);
    close(s);
    FACT("closing leaves the name", stat("sock", &st) == 0);
    REQUIRE(unlink("sock") == 0);
}

static void connecting(void) {
    SECTION("connect");
    SHOW("to a missing path", connect_to(SOCK_STREAM, "nothing"));
    SHOW("to a plain file", connect_to(SOCK_STREAM, "file"));
    int s = bound(SOCK_STREAM, "quiet");
    REQUIRE(s >= 0);
    SHOW("to a bound socket that does not listen", connect_to(SOCK_STREAM, "quiet"));
    REQUIRE(listen(s, 4) == 0);
    SHOW("once it listens", connect_to(SOCK_STREAM, "quiet"));
    SHOW("a datagram socket to it", connect_to(SOCK_DGRAM, "quiet"));
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(u >= 0);
    SHOW("listen unbound", listen(u, 1));
    close(u);
    REQUIRE(unlink("quiet") == 0);
    SHOW("after its name was unlinked", connect_to(SOCK_STREAM, "quiet"));
    close(s);
    REQUIRE(unlink("file") == 0);
}

static void autobind(void) {
    SECTION("autobind");
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(s >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    SHOW("bind with only the family", bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)));
    struct sockaddr_un got;
    socklen_t len = sizeof got;
    REQUIRE(getsockname(s, (struct sockaddr *)&got, &len) == 0);
    VALUE("  name length", len);
    FACT("  abstract (starts with a NUL)", got.sun_path[0] == '\0');
    close(s);
}

static void permissions(void) {
    SECTION("permissions");
    REQUIRE(chmod(".", 0711) == 0);
    REQUIRE(mkdir("ro", 0755) == 0);
    int s = bound(SOCK_STREAM, "private");
    REQUIRE(s >= 0 && listen(s, 4) == 0);
    REQUIRE(chmod("private", 0700) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        REQUIRE(setgid(65534) == 0 && setuid(65534) == 0);
        int t = bound(SOCK_STREAM, "ro/sock");
        printf("  nobody binds in a 755 directory: %s\n", t >= 0 ? "ok" : errno_name(errno));
        SHOW("  nobody connects to a 0700 socket", connect_to(SOCK_STREAM, "private"));
        flush_all();
        _exit(0);
    }
    await_child(child);
    close(s);
    REQUIRE(unlink("private") == 0 && rmdir("ro") == 0);
    REQUIRE(chmod(".", 0700) == 0);
}

int main(void) {
    enter_scratch_dir();
    binding();
    connecting();
    autobind();
    permissions();
    leave_scratch_dir();
    return 0;
}
