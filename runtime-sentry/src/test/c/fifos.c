/*
 * Named pipes: how opening one behaves with and without the other end (O_NONBLOCK readers open
 * at once, O_NONBLOCK writers without a reader get ENXIO, blocking opens wait for each other,
 * O_RDWR never waits), reads and poll before any writer came and after the last one left, EPIPE
 * once the readers are gone, seeks, F_GETPIPE_SZ, and a FIFO that is unlinked while open.
 * Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

static void pause_ms(int ms) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *events(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    int n = poll(&p, 1, 0);
    if (n < 0) return errno_name(errno);
    static char buf[64];
    buf[0] = '\0';
    if (p.revents & POLLIN) strcat(buf, "POLLIN ");
    if (p.revents & POLLOUT) strcat(buf, "POLLOUT ");
    if (p.revents & POLLHUP) strcat(buf, "POLLHUP ");
    if (p.revents & POLLERR) strcat(buf, "POLLERR ");
    if (!buf[0]) strcpy(buf, "none ");
    buf[strlen(buf) - 1] = '\0';
    return buf;
}

static void opening(void) {
    SECTION("opening");
    REQUIRE(mkfifo("f", 0644) == 0);
    struct stat st;
    REQUIRE(stat("f", &st) == 0);
    FACT("a FIFO", S_ISFIFO(st.st_mode));
    VALUE("  size", st.st_size);
    int w = open("f", O_WRONLY | O_NONBLOCK);
    printf("O_WRONLY|O_NONBLOCK without a reader: %s\n", w >= 0 ? "ok" : errno_name(errno));
    int r = open("f", O_RDONLY | O_NONBLOCK);
    printf("O_RDONLY|O_NONBLOCK without a writer: %s\n", r >= 0 ? "ok" : errno_name(errno));
    REQUIRE(r >= 0);
    char buf[8];
    errno = 0;
    long n = read(r, buf, sizeof buf);
    printf("  read before any writer: %s\n", n >= 0 ? (n == 0 ? "0 (EOF)" : "data") : errno_name(errno));
    printf("  poll before any writer: %s\n", events(r));
    w = open("f", O_WRONLY | O_NONBLOCK);
    printf("O_WRONLY|O_NONBLOCK with a reader: %s\n", w >= 0 ? "ok" : errno_name(errno));
    REQUIRE(w >= 0);
    printf("  poll, writer open, empty: %s\n", events(r));
    VALUE("  write", write(w, "hello", 5));
    printf("  poll, 5 bytes: %s\n", events(r));
    VALUE("  F_GETPIPE_SZ", fcntl(w, F_GETPIPE_SZ));
    SHOW("  lseek", lseek(r, 0, SEEK_SET));
    close(w);
    printf("  poll, writer gone, data left: %s\n", events(r));
    VALUE("  read the data", read(r, buf, sizeof buf));
    errno = 0;
    n = read(r, buf, sizeof buf);
    printf("  read after the writer left: %s\n", n >= 0 ? (n == 0 ? "0 (EOF)" : "data") : errno_name(errno));
    printf("  poll after the writer left: %s\n", events(r));
    close(r);
    int rw = open("f", O_RDWR);
    printf("O_RDWR (never waits): %s\n", rw >= 0 ? "ok" : errno_name(errno));
    if (rw >= 0) {
        VALUE("  write to itself", write(rw, "xy", 2));
        VALUE("  read it back", read(rw, buf, sizeof buf));
        close(rw);
    }
    int t = open("f", O_RDWR | O_TRUNC);
    printf("O_RDWR|O_TRUNC: %s\n", t >= 0 ? "ok" : errno_name(errno));
    if (t >= 0) close(t);
}

static void waiting_opens(void) {
    SECTION("blocking opens");
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        REQUIRE(write(ready[1], "s", 1) == 1);
        int w = open("f", O_WRONLY);   /* waits for a reader */
        printf("  child's O_WRONLY open returned: %s\n", w >= 0 ? "ok" : errno_name(errno));
        REQUIRE(w >= 0);
        REQUIRE(write(w, "through", 7) == 7);
        close(w);
        flush_all();
        _exit(0);
    }
    char c;
    REQUIRE(read(ready[0], &c, 1) == 1);
    pause_ms(50);
    int r = open("f", O_RDONLY);
    printf("parent's O_RDONLY open: %s\n", r >= 0 ? "ok" : errno_name(errno));
    REQUIRE(r >= 0);
    char buf[16];
    long got = 0, n;
    while ((n = read(r, buf + got, sizeof buf - got)) > 0) got += n;
    printf("  read until EOF: %.*s\n", (int)got, buf);
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    FACT("  child exited 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(r);
    close(ready[0]);
    close(ready[1]);
}

static void readers_gone(void) {
    SECTION("readers gone");
    signal(SIGPIPE, SIG_IGN);
    int r = open("f", O_RDONLY | O_NONBLOCK);
    int w = open("f", O_WRONLY | O_NONBLOCK);
    REQUIRE(r >= 0 && w >= 0);
    close(r);
    SHOW("write with no reader left", write(w, "x", 1));
    printf("  poll of the writer: %s\n", events(w));
    close(w);
    signal(SIGPIPE, SIG_DFL);
}

static void unlinked(void) {
    SECTION("unlinked while open");
    int rw = open("f", O_RDWR);
    REQUIRE(rw >= 0);
    SHOW("unlink", unlink("f"));
    VALUE("write still works", write(rw, "abc", 3));
    char buf[4];
    VALUE("read still works", read(rw, buf, sizeof buf));
    int again = open("f", O_RDONLY | O_NONBLOCK);
    printf("open by name: %s\n", again >= 0 ? "ok" : errno_name(errno));
    close(rw);
}

int main(void) {
    enter_scratch_dir();
    opening();
    waiting_opens();
    readers_gone();
    unlinked();
    leave_scratch_dir();
    return 0;
}
