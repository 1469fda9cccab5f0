/*
 * What an open file's flags and access mode allow: the flags F_GETFL reports (O_LARGEFILE
 * included, as a 64-bit kernel sets it), which F_SETFL may change, pwrite on an O_APPEND file,
 * O_TRUNC with O_RDONLY, writing through a read-only descriptor and the reverse, directories
 * opened for writing or read like files, O_PATH descriptors, truncation errors, seeks and
 * positioned I/O on pipes, dup2/dup3 onto themselves, and the limits of fcntl(F_DUPFD) and
 * writev. Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

static long size_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void reported_flags(void) {
    SECTION("F_GETFL and F_SETFL");
    int fd = open("f", O_CREAT | O_RDWR | O_APPEND, 0644);
    REQUIRE(fd >= 0);
    printf("O_RDWR|O_APPEND|O_CREAT reports %#o\n", fcntl(fd, F_GETFL));
    SHOW("F_SETFL O_WRONLY|O_NONBLOCK", fcntl(fd, F_SETFL, O_WRONLY | O_NONBLOCK));
    printf("  now %#o (the access mode stays, O_APPEND is cleared)\n", fcntl(fd, F_GETFL));
    SHOW("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
    printf("  now %#o\n", fcntl(fd, F_GETFL));
    close(fd);
    fd = open("f", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    REQUIRE(fd >= 0);
    printf("O_RDONLY|O_CLOEXEC|O_NOFOLLOW reports %#o\n", fcntl(fd, F_GETFL));
    VALUE("  F_GETFD", fcntl(fd, F_GETFD));
    close(fd);
    fd = open("f", O_WRONLY | O_EXCL);
    printf("O_EXCL without O_CREAT on an existing file: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0) close(fd);

    /* Only files opened by path (and memfd_create's) carry O_LARGEFILE. */
    int p[2], sv[2];
    REQUIRE(pipe2(p, O_NONBLOCK) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    printf("a pipe's ends report %#o and %#o\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
    printf("a socket reports %#o\n", fcntl(sv[0], F_GETFL));
    int ev = eventfd(0, EFD_NONBLOCK);
    REQUIRE(ev >= 0);
    printf("an eventfd reports %#o\n", fcntl(ev, F_GETFL));
    int mem = memfd_create("flags", 0);
    REQUIRE(mem >= 0);
    printf("a memfd reports %#o\n", fcntl(mem, F_GETFL));
    REQUIRE(mkfifo("fifo", 0600) == 0);
    int fifo = open("fifo", O_RDWR);
    REQUIRE(fifo >= 0);
    printf("a FIFO opened by path reports %#o\n", fcntl(fifo, F_GETFL));
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
    close(ev);
    close(mem);
    close(fifo);
    REQUIRE(unlink("fifo") == 0);
}

static void access_modes(void) {
    SECTION("access modes");
    int fd = open("g", O_CREAT | O_WRONLY | O_APPEND, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "0123456789", 10) == 10);
    VALUE("pwrite at 0 on O_APPEND", pwrite(fd, "ab", 2, 0));
    VALUE("  size (pwrite appended)", size_of("g"));
    VALUE("  offset", lseek(fd, 0, SEEK_CUR));
    char c;
    SHOW("read on O_WRONLY", read(fd, &c, 1));
    close(fd);
    fd = open("g", O_RDONLY);
    REQUIRE(fd >= 0);
    SHOW("write on O_RDONLY", write(fd, "x", 1));
    SHOW("pwrite on O_RDONLY", pwrite(fd, "x", 1, 0));
    SHOW("ftruncate on O_RDONLY", ftruncate(fd, 0));
    close(fd);
    fd = open("g", O_RDONLY | O_TRUNC);
    printf("O_RDONLY|O_TRUNC: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    VALUE("  size", size_of("g"));
    if (fd >= 0) close(fd);
    fd = open("h", O_CREAT | O_RDWR, 0);
    printf("O_CREAT|O_RDWR with mode 0: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    if (fd >= 0) {
        VALUE("  write through it", write(fd, "ok", 2));
        close(fd);
    }
    SHOW("truncate to -1", truncate("h", -1));
    SHOW("truncate to 5", truncate("h", 5));
    VALUE("  size", size_of("h"));
    REQUIRE(unlink("h") == 0);
    REQUIRE(unlink("g") == 0);
}

static void directories(void) {
    SECTION("directories");
    REQUIRE(mkdir("d", 0755) == 0);
    int fd = open("d", O_WRONLY);
    printf("open a directory O_WRONLY: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    fd = open("d", O_RDWR);
    printf("open a directory O_RDWR: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    fd = open("d", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    char buf[16];
    SHOW("read a directory", read(fd, buf, sizeof buf));
    SHOW("write a directory", write(fd, "x", 1));
    SHOW("ftruncate a directory", ftruncate(fd, 0));
    SHOW("lseek a directory to 0", lseek(fd, 0, SEEK_SET));
    close(fd);
    SHOW("truncate a directory", truncate("d", 0));
    REQUIRE(rmdir("d") == 0);
}

static void path_descriptors(void) {
    SECTION("O_PATH");
    int fd = open("f", O_PATH);
    REQUIRE(fd >= 0);
    printf("O_PATH reports %#o\n", fcntl(fd, F_GETFL));
    char c;
    SHOW("read", read(fd, &c, 1));
    SHOW("write", write(fd, "x", 1));
    struct stat st;
    SHOW("fstat", fstat(fd, &st));
    SHOW("fchmod", fchmod(fd, 0600));
    SHOW("ftruncate", ftruncate(fd, 0));
    int again = dup(fd);
    printf("dup: %s\n", again >= 0 ? "ok" : errno_name(errno));
    if (again >= 0) close(again);
    close(fd);
}

static void pipes_and_dups(void) {
    SECTION("pipes, dup2, dup3, F_DUPFD, writev");
    int p[2];
    REQUIRE(pipe(p) == 0);
    SHOW("lseek a pipe", lseek(p[0], 0, SEEK_SET));
    char c;
    SHOW("pread a pipe", pread(p[0], &c, 1, 0));
    SHOW("pwrite a pipe", pwrite(p[1], "x", 1, 0));
    VALUE("dup2 onto itself", dup2(p[0], p[0]) == p[0]);
    SHOW("dup3 onto itself", dup3(p[0], p[0], 0));
    SHOW("dup3 bad flags", dup3(p[0], 100, 1));
    SHOW("dup2 of a closed fd onto itself", dup2(900, 900));
    struct rlimit rl;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    SHOW("F_DUPFD at the limit", fcntl(p[0], F_DUPFD, (long)rl.rlim_cur));
    SHOW("F_DUPFD below it", fcntl(p[0], F_DUPFD, (long)rl.rlim_cur - 1));
    close((int)rl.rlim_cur - 1);
    struct iovec iov[1025];
    for (int i = 0; i < 1025; i++) {
        iov[i].iov_base = (void *)"x";
        iov[i].iov_len = 1;
    }
    SHOW("writev of 1025 buffers", writev(p[1], iov, 1025));
    VALUE("writev of 0 buffers", writev(p[1], iov, 0));
    VALUE("writev of 1024 buffers", writev(p[1], iov, 1024));
    close(p[0]);
    close(p[1]);
}

int main(void) {
    enter_scratch_dir();
    reported_flags();
    access_modes();
    directories();
    path_descriptors();
    pipes_and_dups();
    REQUIRE(unlink("f") == 0);
    leave_scratch_dir();
    return 0;
}
