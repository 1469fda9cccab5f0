/*
 * Which timestamps each file operation changes: a file's atime, mtime and ctime, and its
 * directory's mtime and ctime, after write, truncate, O_TRUNC, chmod, chown, link, rename,
 * unlink, mkdir, symlink and utimensat (UTIME_NOW, UTIME_OMIT, explicit times). Before each
 * step the times are set far in the past and the program sleeps past the clock's granularity, so
 * each line says only "changed" or "same". Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

struct times {
    struct timespec a, m, c;
};

static struct times times_of(const char *path) {
    struct stat st;
    REQUIRE(lstat(path, &st) == 0);
    return (struct times){st.st_atim, st.st_mtim, st.st_ctim};
}

static int same_time(struct timespec x, struct timespec y) { return x.tv_sec == y.tv_sec && x.tv_nsec == y.tv_nsec; }

/* Old atime and mtime on path, then a pause so that a later ctime differs from the current one. */
static void age(const char *path) {
    struct timespec old[2] = {{.tv_sec = 1000000000, .tv_nsec = 0}, {.tv_sec = 1000000000, .tv_nsec = 0}};
    REQUIRE(utimensat(AT_FDCWD, path, old, AT_SYMLINK_NOFOLLOW) == 0);
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

static void report(const char *what, const char *path, struct times before) {
    struct times after = times_of(path);
    printf("%s: atime %s, mtime %s, ctime %s\n", what, same_time(before.a, after.a) ? "same" : "changed",
           same_time(before.m, after.m) ? "same" : "changed", same_time(before.c, after.c) ? "same" : "changed");
}

/* Ages file and dir, runs step, and reports both. */
#define STEP(label, file, step)                                                  \
    do {                                                                         \
        age(file);                                                               \
        age("d");                                                                \
        struct times f_ = times_of(file), d_ = times_of("d");                    \
        REQUIRE((step) != -1);                                                   \
        report(label, file, f_);                                                 \
        report("  its directory", "d", d_);                                      \
    } while (0)

static long write_to(const char *path, const char *data, size_t n, int flags) {
    int fd = open(path, O_WRONLY | flags);
    if (fd < 0) return -1;
    long w = write(fd, data, n);
    close(fd);
    return w < 0 ? -1 : w;
}

int main(void) {
    enter_scratch_dir();
    REQUIRE(mkdir("d", 0755) == 0);
    int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);

    SECTION("content");
    STEP("write 3 bytes", "d/f", write_to("d/f", "abc", 3, 0));
    STEP("write 0 bytes", "d/f", write_to("d/f", "", 0, 0));
    STEP("truncate to a new size", "d/f", truncate("d/f", 1));
    STEP("truncate to the same size", "d/f", truncate("d/f", 1));
    STEP("open O_TRUNC", "d/f", write_to("d/f", "", 0, O_TRUNC));
    STEP("open without writing", "d/f", write_to("d/f", "", 0, 0) + 0);

    SECTION("attributes");
    STEP("chmod", "d/f", chmod("d/f", 0600));
    STEP("chown to the same owner", "d/f", chown("d/f", getuid(), getgid()));
    STEP("chown -1 -1", "d/f", chown("d/f", (uid_t)-1, (gid_t)-1));
    struct timespec now_omit[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_OMIT}};
    STEP("utimensat NOW, OMIT", "d/f", utimensat(AT_FDCWD, "d/f", now_omit, 0));
    struct timespec omit_omit[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
    STEP("utimensat OMIT, OMIT", "d/f", utimensat(AT_FDCWD, "d/f", omit_omit, 0));
    STEP("utimensat NULL (both now)", "d/f", utimensat(AT_FDCWD, "d/f", NULL, 0));

    SECTION("names");
    STEP("link", "d/f", link("d/f", "d/g"));
    STEP("rename the link", "d/f", rename("d/g", "d/h"));
    STEP("unlink the link", "d/f", unlink("d/h"));
    STEP("symlink beside it", "d/f", symlink("f", "d/s"));
    STEP("mkdir beside it", "d/f", mkdir("d/sub", 0755));
    STEP("rmdir beside it", "d/f", rmdir("d/sub"));
    STEP("rename within the directory", "d/f", rename("d/f", "d/f2") == 0 && rename("d/f2", "d/f") == 0 ? 0 : -1);

    REQUIRE(unlink("d/s") == 0);
    REQUIRE(unlink("d/f") == 0);
    REQUIRE(rmdir("d") == 0);
    leave_scratch_dir();
    return 0;
}
