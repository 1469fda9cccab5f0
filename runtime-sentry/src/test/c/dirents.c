/*
 * Reading directories: every entry exactly once across small getdents64 batches, "." and ".."
 * first-class, d_type of each kind of file, seeking back to an entry's d_off (seekdir/telldir),
 * rewinding to see entries created since, entries removed while the directory is being read,
 * a directory removed while open, and getdents64 errors. Names and counts only, never an order
 * the filesystem chooses. Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define FILES 200

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Reads the whole directory in batches of `size` bytes; counts entries and checks names once each. */
static void read_all(const char *label, int fd, int size) {
    static char seen[FILES];
    memset(seen, 0, sizeof seen);
    char buf[4096];
    int entries = 0, dots = 0, repeats = 0, batches = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, size)) > 0) {
        batches++;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
                dots++;
            } else {
                int i = atoi(d->d_name + 1);
                if (i >= 0 && i < FILES) {
                    if (seen[i]) repeats++;
                    seen[i] = 1;
                }
                entries++;
            }
            off += d->d_reclen;
        }
    }
    printf("%s: %d entries, %d dots, %d repeated, last getdents64 %s, several batches %s\n", label, entries, dots,
           repeats, n == 0 ? "0" : errno_name(errno), batches > 1 ? "yes" : "no");
}

static void batches(void) {
    SECTION("whole directory in batches");
    REQUIRE(mkdir("d", 0755) == 0);
    char name[32];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "d/f%d", i);
        int fd = open(name, O_CREAT | O_WRONLY, 0644);
        REQUIRE(fd >= 0);
        close(fd);
    }
    int fd = open("d", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    read_all("batches of 256 bytes", fd, 256);
    VALUE("getdents64 at the end again", syscall(SYS_getdents64, fd, name, sizeof name));
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    read_all("after lseek to 0, 4096 bytes", fd, 4096);
    close(fd);
}

static void seeking(void) {
    SECTION("telldir and seekdir");
    DIR *d = opendir("d");
    REQUIRE(d != NULL);
    for (int i = 0; i < 50; i++) REQUIRE(readdir(d) != NULL);
    long mark = telldir(d);
    struct dirent *e = readdir(d);
    REQUIRE(e != NULL);
    char after[256];
    snprintf(after, sizeof after, "%s", e->d_name);
    for (int i = 0; i < 30; i++) REQUIRE(readdir(d) != NULL);
    seekdir(d, mark);
    e = readdir(d);
    FACT("seekdir to a telldir mark reads the same entry again", e != NULL && !strcmp(e->d_name, after));
    rewinddir(d);
    int fd = open("d/late", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    int found = 0, count = 0;
    while ((e = readdir(d)) != NULL) {
        count++;
        if (!strcmp(e->d_name, "late")) found = 1;
    }
    FACT("after rewinddir a file created since is listed", found);
    VALUE("  entries with the dots", count);
    closedir(d);
    REQUIRE(unlink("d/late") == 0);
}

static void types(void) {
    SECTION("d_type");
    REQUIRE(mkdir("t", 0755) == 0);
    int fd = open("t/file", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE(mkdir("t/dir", 0755) == 0);
    REQUIRE(symlink("file", "t/link") == 0);
    REQUIRE(mkfifo("t/fifo", 0644) == 0);
    DIR *d = opendir("t");
    REQUIRE(d != NULL);
    struct dirent *e;
    const char *kinds[5] = {0};
    const char *names[5] = {"file", "dir", "link", "fifo", "."};
    while ((e = readdir(d)) != NULL) {
        for (int i = 0; i < 5; i++) {
            if (strcmp(e->d_name, names[i])) continue;
            kinds[i] = e->d_type == DT_REG ? "DT_REG" : e->d_type == DT_DIR ? "DT_DIR" : e->d_type == DT_LNK ? "DT_LNK"
                     : e->d_type == DT_FIFO ? "DT_FIFO" : e->d_type == DT_UNKNOWN ? "DT_UNKNOWN" : "other";
        }
    }
    closedir(d);
    for (int i = 0; i < 5; i++) printf("%s: %s\n", names[i], kinds[i] ? kinds[i] : "missing");
    REQUIRE(unlink("t/file") == 0 && rmdir("t/dir") == 0 && unlink("t/link") == 0 && unlink("t/fifo") == 0 && rmdir("t") == 0);
}

static void removals(void) {
    SECTION("removed while reading");
    int fd = open("d", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    char buf[512];
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    FACT("first batch read", n > 0);
    char name[32];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "d/f%d", i);
        REQUIRE(unlink(name) == 0);
    }
    /* What a batch in progress still lists after the removals depends on the filesystem; a reread does not. */
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    read_all("reread from 0", fd, 4096);
    REQUIRE(rmdir("d") == 0);
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    read_all("the directory itself removed", fd, 4096);
    close(fd);
}

static void errors(void) {
    SECTION("errors");
    char buf[64];
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    SHOW("getdents64 into a buffer too small for one entry", syscall(SYS_getdents64, fd, buf, 8));
    SHOW("getdents64 into a bad buffer", syscall(SYS_getdents64, fd, BAD_POINTER, 4096));
    close(fd);
    SHOW("getdents64 on a closed fd", syscall(SYS_getdents64, fd, buf, sizeof buf));
    int p[2];
    REQUIRE(pipe(p) == 0);
    SHOW("getdents64 on a pipe", syscall(SYS_getdents64, p[0], buf, sizeof buf));
    close(p[0]);
    close(p[1]);
    int path = open(".", O_PATH);
    REQUIRE(path >= 0);
    SHOW("getdents64 on an O_PATH directory", syscall(SYS_getdents64, path, buf, sizeof buf));
    close(path);
}

int main(void) {
    enter_scratch_dir();
    batches();
    seeking();
    types();
    removals();
    errors();
    leave_scratch_dir();
    return 0;
}
