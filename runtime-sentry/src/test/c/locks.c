/*
 * Advisory locks between processes and descriptions: POSIX record locks (conflicts, F_GETLK's
 * report, adjacent ranges, splitting by an unlock, l_whence and negative lengths, a process's
 * own locks never conflicting, every lock dropped when the process closes any descriptor of the
 * file, not inherited by fork, F_SETLKW waiting, EDEADLK), OFD locks (owned by the open file
 * description, l_pid -1, conflicting with POSIX locks), and flock(2) (per description, shared by
 * dup and fork, LOCK_NB, conversion). Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

static int lock(int fd, int cmd, short type, short whence, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) for a write lock over [start, start+len): what is in the way. */
static void query(const char *label, int fd, int cmd, off_t start, off_t len, pid_t holder) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, cmd, &fl) != 0) {
        printf("%s: %s\n", label, errno_name(errno));
        return;
    }
    if (fl.l_type == F_UNLCK) {
        printf("%s: unlocked\n", label);
        return;
    }
    printf("%s: %s lock at %ld len %ld, pid %s\n", label, fl.l_type == F_WRLCK ? "write" : "read", (long)fl.l_start,
           (long)fl.l_len, fl.l_pid == holder ? "the holder's" : fl.l_pid == -1 ? "-1" : "other");
}

static void pause_ms(int ms) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts fn in a child that has its own descriptor of "f" (its own open file description). */
static pid_t spawn_with_fd(void (*fn)(int fd)) {
    pid_t child = fork_flushed();
    if (child == 0) {
        int fd = open("f", O_RDWR);
        REQUIRE(fd >= 0);
        fn(fd);
        flush_all();
        _exit(0);
    }
    return child;
}

/* Runs fn in such a child and waits for it. */
static void from_child(void (*fn)(int fd)) { await_child(spawn_with_fd(fn)); }

static pid_t parent_pid;

static void child_sees_parent_locks(int fd) {
    query("  child F_GETLK 0..10", fd, F_GETLK, 0, 10, parent_pid);
    query("  child F_GETLK 50..60", fd, F_GETLK, 50, 10, parent_pid);
    query("  child F_GETLK 100..", fd, F_GETLK, 100, 0, parent_pid);
    SHOW("  child write lock 0..10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    SHOW("  child read lock 0..10", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 10));
    SHOW("  child write lock 10..20 (adjacent)", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
    SHOW("  child read lock 200..210 (under a read lock)", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 200, 10));
}

static void child_after_close(int fd) {
    query("  child F_GETLK 0..", fd, F_GETLK, 0, 0, parent_pid);
}

static void records(void) {
    SECTION("POSIX record locks");
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    REQUIRE(fd >= 0);
    SHOW("write lock 0..10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    SHOW("write lock 40..100", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 60));
    SHOW("unlock 50..60 (splits it)", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 50, 10));
    SHOW("read lock 200.. to the end", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 200, 0));
    REQUIRE(lseek(fd, 150, SEEK_SET) == 150);
    SHOW("write lock from SEEK_CUR-30 back 10", lock(fd, F_SETLK, F_WRLCK, SEEK_CUR, -30, -10));
    query("own F_GETLK 0..10 (own locks never conflict)", fd, F_GETLK, 0, 10, getpid());
    SHOW("lock before offset 0", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -10));
    SHOW("bad type", lock(fd, F_SETLK, 7, SEEK_SET, 0, 1));
    SHOW("bad whence", lock(fd, F_SETLK, F_WRLCK, 9, 0, 1));
    parent_pid = getpid();
    from_child(child_sees_parent_locks);
    int again = open("f", O_RDONLY);
    REQUIRE(again >= 0);
    SHOW("write lock through a read-only descriptor", lock(again, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    close(again);
    printf("closed another descriptor of the file\n");
    from_child(child_after_close);
    close(fd);
}

static int sync_pipe[2];

static void child_waits(int fd) {
    SHOW("  child F_SETLK 0..10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    REQUIRE(write(sync_pipe[1], "w", 1) == 1);
    SHOW("  child F_SETLKW 0..10 (waits for the parent)", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10));
}

static void child_deadlocks(int fd) {
    REQUIRE(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) == 0);
    REQUIRE(write(sync_pipe[1], "h", 1) == 1);
    SHOW("  child F_SETLKW 0..1 (held by the parent)", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
}

static void waiting(void) {
    SECTION("F_SETLKW");
    int fd = open("f", O_RDWR);
    REQUIRE(fd >= 0 && pipe(sync_pipe) == 0);
    REQUIRE(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
    pid_t child = spawn_with_fd(child_waits);
    char c;
    REQUIRE(read(sync_pipe[0], &c, 1) == 1);
    pause_ms(50);
    SHOW("parent unlocks", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    FACT("  child got the lock and exited", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    SECTION("EDEADLK");
    REQUIRE(lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0);
    child = spawn_with_fd(child_deadlocks);
    REQUIRE(read(sync_pipe[0], &c, 1) == 1);
    pause_ms(50);
    SHOW("parent F_SETLKW 1..2 (held by the waiting child)", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
    SHOW("parent unlocks 0..1", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
    REQUIRE(waitpid(child, &status, 0) == child);
    FACT("  child got the lock and exited", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    close(fd);
}

static void ofd(void) {
    SECTION("OFD locks");
    int a = open("f", O_RDWR), b = open("f", O_RDWR);
    REQUIRE(a >= 0 && b >= 0);
    SHOW("a: OFD write lock 0..10", lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    SHOW("b: OFD write lock 0..10 (another description)", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    query("b: F_OFD_GETLK 0..10", b, F_OFD_GETLK, 0, 10, getpid());
    SHOW("b: POSIX write lock 5..6", lock(b, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 1, .l_pid = 1};
    SHOW("OFD lock with l_pid set", fcntl(a, F_OFD_SETLK, &fl));
    int dup_a = dup(a);
    close(a);
    SHOW("b: OFD lock while a's dup is open", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    close(dup_a);
    SHOW("b: OFD lock after the last close of a", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    close(b);
}

static void flocks(void) {
    SECTION("flock");
    int a = open("f", O_RDONLY), b = open("f", O_RDONLY);
    REQUIRE(a >= 0 && b >= 0);
    SHOW("a: LOCK_EX", flock(a, LOCK_EX));
    SHOW("b: LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
    SHOW("b: LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
    int d = dup(a);
    SHOW("dup of a: LOCK_EX (the same description)", flock(d, LOCK_EX | LOCK_NB));
    pid_t child = fork_flushed();
    if (child == 0) {
        SHOW("  child, a inherited: LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
        flush_all();
        _exit(0);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    SHOW("a: convert to LOCK_SH", flock(a, LOCK_SH));
    SHOW("b: LOCK_SH|LOCK_NB beside it", flock(b, LOCK_SH | LOCK_NB));
    SHOW("a: LOCK_EX|LOCK_NB while b shares", flock(a, LOCK_EX | LOCK_NB));
    SHOW("a: LOCK_SH|LOCK_NB (gave up its lock trying)", flock(a, LOCK_SH | LOCK_NB));
    SHOW("bad operation", flock(a, 3));
    SHOW("b: LOCK_UN", flock(b, LOCK_UN));
    close(a);
    close(d);
    int c = open("f", O_RDONLY);
    REQUIRE(c >= 0);
    SHOW("c: LOCK_EX|LOCK_NB after a's description closed", flock(c, LOCK_EX | LOCK_NB));
    close(c);
    close(b);
}

int main(void) {
    enter_scratch_dir();
    records();
    waiting();
    ofd();
    flocks();
    REQUIRE(unlink("f") == 0);
    leave_scratch_dir();
    return 0;
}
