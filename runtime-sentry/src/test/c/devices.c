/*
 * Device files every container gets: /dev/null, /dev/zero, /dev/full, /dev/random and
 * /dev/urandom, /dev/tty without a controlling terminal, and terminal ioctls on a non-terminal.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

static void describe_node(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("%s: stat %s\n", path, errno_name(errno));
        return;
    }
    printf("%s: %s %u:%u\n", path, S_ISCHR(st.st_mode) ? "char device" : "not a char device", major(st.st_rdev),
           minor(st.st_rdev));
}

static void null_zero_full(void) {
    SECTION("null, zero, full");
    describe_node("/dev/null");
    describe_node("/dev/zero");
    describe_node("/dev/full");
    describe_node("/dev/random");
    describe_node("/dev/urandom");
    char buf[4096];
    int fd = open("/dev/null", O_RDWR);
    REQUIRE(fd >= 0);
    VALUE("write 4096 to /dev/null", write(fd, buf, sizeof buf));
    VALUE("read from /dev/null", read(fd, buf, sizeof buf));
    VALUE("lseek /dev/null", lseek(fd, 100, SEEK_SET));
    close(fd);

    fd = open("/dev/zero", O_RDWR);
    REQUIRE(fd >= 0);
    memset(buf, 0x5a, sizeof buf);
    VALUE("read 4096 from /dev/zero", read(fd, buf, sizeof buf));
    int zeros = 1;
    for (size_t i = 0; i < sizeof buf; i++) zeros &= buf[i] == 0;
    FACT("  all zero", zeros);
    VALUE("write 10 to /dev/zero", write(fd, buf, 10));
    close(fd);

    fd = open("/dev/full", O_RDWR);
    REQUIRE(fd >= 0);
    SHOW("write to /dev/full", write(fd, "x", 1));
    VALUE("read 16 from /dev/full", read(fd, buf, 16));
    close(fd);
    SHOW("open /dev/null O_DIRECTORY", open("/dev/null", O_RDONLY | O_DIRECTORY));
}

static void randomness(void) {
    SECTION("random and urandom");
    const char *paths[] = {"/dev/urandom", "/dev/random"};
    for (int i = 0; i < 2; i++) {
        unsigned char a[32] = {0}, b[32] = {0};
        int fd = open(paths[i], O_RDONLY);
        REQUIRE(fd >= 0);
        ssize_t na = read(fd, a, sizeof a), nb = read(fd, b, sizeof b);
        printf("%s: read %zd and %zd bytes, different %s\n", paths[i], na, nb, memcmp(a, b, sizeof a) ? "yes" : "no");
        close(fd);
    }
}

static void terminals(void) {
    SECTION("terminals");
    int p[2];
    REQUIRE(pipe(p) == 0);
    struct termios t;
    struct winsize ws;
    SHOW("TCGETS on a pipe", ioctl(p[0], TCGETS, &t));
    SHOW("TIOCGWINSZ on a pipe", ioctl(p[0], TIOCGWINSZ, &ws));
    FACT("isatty(pipe)", isatty(p[0]));
    SHOW("ioctl on a bad fd", ioctl(999, TCGETS, &t));
    int fd = open("/dev/null", O_RDONLY);
    SHOW("TCGETS on /dev/null", ioctl(fd, TCGETS, &t));
    close(fd);
    close(p[0]);
    close(p[1]);

    /* A new session has no controlling terminal, whatever the caller had. */
    pid_t c = fork_flushed();
    if (c == 0) {
        setsid();
        SHOW("[new session] open /dev/tty", open("/dev/tty", O_RDWR));
        flush_all();
        _exit(0);
    }
    REQUIRE(waitpid(c, NULL, 0) == c);
}

int main(void) {
    null_zero_full();
    randomness();
    terminals();
    return 0;
}
