/*
 * /proc/self/fd and /proc/self/fdinfo in depth: what each kind of descriptor's link names, the
 * pos and flags fdinfo reports (and how lseek, dup, O_APPEND, O_CLOEXEC and O_PATH show there),
 * the kind-specific lines of eventfd and epoll, reopening a file, a removed file, a pipe (an
 * unprivileged process's own too, and whose /proc files it may read) and a
 * socket through its /proc/self/fd link (a magic link), and links of files that were removed.
 */
#include "behaviour.h"

#include <dirent.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* The target of /proc/self/fd/N, with a bracketed number ("pipe:[123]") shown as "pipe:[N]". */
static void show_link(const char *label, int fd) {
    char path[64], link[512] = {0};
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0) {
        printf("%s: %s\n", label, errno_name(errno));
        return;
    }
    char *bracket = strchr(link, '[');
    if (bracket && strchr(bracket, ']') && bracket[1] >= '0' && bracket[1] <= '9') strcpy(bracket, "[N]");
    /* Scratch paths are random: keep only the last component. */
    char *slash = strrchr(link, '/');
    printf("%s: %s\n", label, link[0] == '/' && link[1] != 0 && slash ? slash + 1 : link);
}

/* The value of one "key:" line of /proc/self/fdinfo/N, or "(none)". */
static const char *fdinfo(int fd, const char *key) {
    static char value[256];
    char path[64], text[4096] = {0};
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    if (f < 0) return errno_name(errno);
    ssize_t n = read(f, text, sizeof text - 1);
    close(f);
    if (n < 0) return "unreadable";
    size_t klen = strlen(key);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *v = line + klen + 1;
            while (*v == ' ' || *v == '\t') v++;
            size_t len = strcspn(v, "\n");
            snprintf(value, sizeof value, "%.*s", (int)len, v);
            return value;
        }
    }
    return "(none)";
}

static void links(void) {
    SECTION("what the links name");
    int p[2];
    REQUIRE(pipe(p) == 0);
    show_link("pipe read end", p[0]);
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    show_link("socket", sv[0]);
    int efd = eventfd(0, 0);
    show_link("eventfd", efd);
    int ep = epoll_create1(0);
    show_link("epoll", ep);
    int null = open("/dev/null", O_WRONLY);
    show_link("/dev/null", null);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    show_link("the root directory", dir);
    int path = open("/dev/null", O_PATH);
    show_link("an O_PATH descriptor", path);
    show_link("a closed number", 999);
    enter_scratch_dir();
    int gone = open("doomed", O_RDWR | O_CREAT, 0600);
    REQUIRE(gone >= 0);
    REQUIRE(unlink("doomed") == 0);
    show_link("an unlinked file", gone);
    close(gone);
    leave_scratch_dir();

    SECTION("fdinfo: kinds");
    printf("eventfd count: %s\n", fdinfo(efd, "eventfd-count"));
    uint64_t five = 5;
    REQUIRE(write(efd, &five, 8) == 8);
    printf("eventfd count after adding 5: %s\n", fdinfo(efd, "eventfd-count"));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234};
    REQUIRE(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
    const char *tfd = fdinfo(ep, "tfd");
    printf("epoll has a tfd line: %s\n", strcmp(tfd, "(none)") != 0 ? "yes" : "no");
    int watched = -1;
    sscanf(tfd, "%d", &watched);
    FACT("  naming the watched descriptor", watched == efd);
    FACT("  with its events and data", strstr(tfd, "events:") != NULL && strstr(tfd, "data:") != NULL && strstr(tfd, "1234") != NULL);
    printf("pipe flags: %s\n", fdinfo(p[1], "flags"));
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    close(efd);
    close(ep);
    close(null);
    close(dir);
    close(path);
}

static void unprivileged_pipe(void) {
    /* A pipe belongs to the filesystem ids of the process that made it, mode 0600. */
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    int q[2];
    struct stat st;
    if (pipe(q) != 0 || fstat(q[0], &st) != 0) _exit(4);
    printf("an unprivileged process's pipe: uid %s, gid %s, mode %o\n", st.st_uid == 65534 ? "its own" : "other",
           st.st_gid == 65534 ? "its own" : "other", st.st_mode & 07777);
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", q[1]);
    show_open("  it reopens its write end", link, O_WRONLY, 0);
    DIR *own = opendir("/proc/self/fd");
    printf("  it lists its own fd directory: %s\n", own ? "ok" : errno_name(errno));
    if (own) closedir(own);
    show_open("  it reads its own environ", "/proc/self/environ", O_RDONLY, 0);
    printf("  dumpable after changing its ids: %d\n", prctl(PR_GET_DUMPABLE));
    REQUIRE(prctl(PR_SET_DUMPABLE, 1) == 0);
    show_open("  it reads its own environ once dumpable again", "/proc/self/environ", O_RDONLY, 0);
}

static void positions_and_flags(void) {
    SECTION("fdinfo: pos and flags");
    enter_scratch_dir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "0123456789", 10) == 10);
    printf("pos after writing 10: %s\n", fdinfo(fd, "pos"));
    printf("flags of O_RDWR: %s\n", fdinfo(fd, "flags"));
    int twin = dup(fd);
    REQUIRE(lseek(twin, 3, SEEK_SET) == 3);
    printf("pos through a dup after its lseek: %s\n", fdinfo(fd, "pos"));
    int cloexec = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    printf("flags of an F_DUPFD_CLOEXEC copy: %s\n", fdinfo(cloexec, "flags"));
    REQUIRE(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0);
    printf("flags after F_SETFL O_APPEND|O_NONBLOCK: %s\n", fdinfo(fd, "flags"));
    printf("the dup shares them: %s\n", fdinfo(twin, "flags"));
    int wo = open("f", O_WRONLY | O_CLOEXEC);
    printf("flags of O_WRONLY|O_CLOEXEC: %s\n", fdinfo(wo, "flags"));
    int path = open("f", O_PATH);
    printf("flags of O_PATH: %s\n", fdinfo(path, "flags"));
    printf("fdinfo of a closed number: %s\n", fdinfo(999, "pos"));

    SECTION("reopening through /proc/self/fd");
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    int again = open(link, O_RDONLY);
    FACT("reopen a file", again >= 0);
    char c = 0;
    FACT("  a new description at offset 0", read(again, &c, 1) == 1 && c == '0');
    printf("  its flags: %s\n", fdinfo(again, "flags"));
    close(again);
    snprintf(link, sizeof link, "/proc/self/fd/%d", path);
    again = open(link, O_RDONLY);
    FACT("reopen an O_PATH descriptor for reading", again >= 0 && read(again, &c, 1) == 1 && c == '0');
    if (again >= 0) close(again);
    int p[2];
    REQUIRE(pipe(p) == 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[1]);
    int w = open(link, O_WRONLY);
    FACT("reopen a pipe's write end", w >= 0);
    if (w >= 0) {
        REQUIRE(write(w, "z", 1) == 1);
        FACT("  writes reach the same pipe", read(p[0], &c, 1) == 1 && c == 'z');
        close(w);
    }
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[0]);
    int r = open(link, O_RDONLY | O_NONBLOCK);
    FACT("reopen its read end", r >= 0);
    if (r >= 0) close(r);
    close(p[1]);
    r = open(link, O_RDONLY);
    FACT("reopen the read end, writer gone: no wait, end of file", r >= 0 && read(r, &c, 1) == 0);
    if (r >= 0) close(r);
    close(p[0]);
    in_child(unprivileged_pipe);
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", sv[0]);
    show_open("reopen a socket", link, O_RDWR, 0);
    close(sv[0]);
    close(sv[1]);
    int doomed = open("doomed", O_RDWR | O_CREAT, 0600);
    REQUIRE(doomed >= 0 && write(doomed, "kept", 4) == 4 && unlink("doomed") == 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", doomed);
    int back = open(link, O_RDONLY);
    char kept[5] = {0};
    FACT("reopen a removed file and read it", back >= 0 && read(back, kept, 4) == 4 && strcmp(kept, "kept") == 0);
    if (back >= 0) close(back);
    close(doomed);
    close(fd);
    close(twin);
    close(cloexec);
    close(wo);
    close(path);
    REQUIRE(unlink("f") == 0);
    leave_scratch_dir();

    SECTION("the fd directory");
    int count = 0;
    DIR *d = opendir("/proc/self/fd");
    REQUIRE(d != NULL);
    int high = open("/dev/null", O_RDONLY);
    REQUIRE(dup2(high, 77) == 77);
    rewinddir(d);
    int seen77 = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        count++;
        if (strcmp(e->d_name, "77") == 0) seen77 = 1;
    }
    closedir(d);
    FACT("lists a new descriptor", seen77);
    FACT("lists stdio and the directory's own descriptor", count >= 5);
    close(77);
    close(high);
}

int main(void) {
    links();
    positions_and_flags();
    return 0;
}
