/*
 * File operations in a scratch directory on tmpfs (/tmp in the sandbox, $TMPDIR natively):
 * open flags, read/write family, lseek with holes, stat family, getdents64, namespace
 * operations, metadata changes, access checks, descriptor duplication and close-on-exec.
 */
#include "behaviour.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static const char *self;

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

static void print_contents(const char *label, const char *path) {
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    REQUIRE(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0) buf[i] = '.';
    printf("%s: \"%s\"\n", label, n >= 0 ? buf : "(read failed)");
}

static void opening(void) {
    SECTION("open, creat, O_EXCL, O_TRUNC, O_APPEND");
    SHOW("open missing without O_CREAT", open("f", O_RDONLY));
    int fd = creat("f", 0640);
    SHOW("creat", fd);
    FACT("creat opens write-only", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    REQUIRE(write(fd, "0123456789", 10) == 10);
    close(fd);
    SHOW("O_CREAT|O_EXCL on existing", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY));
    SHOW("file as a directory component", open("f/x", O_RDONLY));
    SHOW("open(\"\")", open("", O_RDONLY));
    char longname[NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    SHOW("name longer than NAME_MAX", open(longname, O_CREAT | O_WRONLY, 0644));
    fd = open("f", O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    REQUIRE(write(fd, "AB", 2) == 2);
    VALUE("O_APPEND write lands at end, offset now", lseek(fd, 0, SEEK_CUR));
    close(fd);
    print_contents("after append", "f");
    fd = open("f", O_RDWR | O_TRUNC);
    REQUIRE(fd >= 0);
    struct stat st;
    fstat(fd, &st);
    VALUE("O_TRUNC size", st.st_size);
    SHOW("read on O_WRONLY fd", ({ int w = open("f", O_WRONLY); char c; long r = read(w, &c, 1); int e = errno; close(w); errno = e; r; }));
    close(fd);
    SHOW("close twice", ({ int c = open("f", O_RDONLY); close(c); close(c); }));
    unlink("f");
}

static void reading_writing(void) {
    SECTION("read, write, pread, pwrite, readv, writev, lseek");
    int fd = open("rw", O_CREAT | O_RDWR | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    struct iovec out[3] = {{"one ", 4}, {"", 0}, {"two three", 9}};
    VALUE("writev of 3 buffers", writev(fd, out, 3));
    VALUE("pwrite at 4", pwrite(fd, "TWO", 3, 4));
    VALUE("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR));
    char a[4] = {0}, b[16] = {0};
    struct iovec in[2] = {{a, 3}, {b, sizeof b - 1}};
    VALUE("readv from 0", preadv(fd, in, 2, 0));
    printf("  parts: \"%s\" \"%s\"\n", a, b);
    char p[6] = {0};
    VALUE("pread 5 at 8", pread(fd, p, 5, 8));
    printf("  got \"%s\"\n", p);
    VALUE("lseek SEEK_END", lseek(fd, 0, SEEK_END));
    VALUE("lseek SEEK_END -3", lseek(fd, -3, SEEK_END));
    VALUE("lseek SEEK_CUR +1", lseek(fd, 1, SEEK_CUR));
    SHOW("lseek to negative", lseek(fd, -100, SEEK_SET));
    SHOW("lseek bad whence", lseek(fd, 0, 42));
    SHOW("pread negative offset", pread(fd, p, 1, -1));
    VALUE("read at end", read(fd, p, 5));

    /* A hole: write past the end, the gap reads as zeros. */
    VALUE("lseek 100 past end", lseek(fd, 100, SEEK_END));
    VALUE("write after hole", write(fd, "Z", 1));
    struct stat st;
    fstat(fd, &st);
    VALUE("size with hole", st.st_size);
    char hole[4] = {1, 1, 1, 1};
    pread(fd, hole, 4, 50);
    FACT("hole reads as zeros", !hole[0] && !hole[1] && !hole[2] && !hole[3]);
    VALUE("SEEK_DATA from 0", lseek(fd, 0, SEEK_DATA));
    SHOW("SEEK_DATA past end", lseek(fd, st.st_size + 1, SEEK_DATA));
    SHOW("write from bad buffer", write(fd, BAD_POINTER, 4));
    SHOW("read into bad buffer", read(fd, BAD_POINTER, 4));
    SHOW("write to bad fd", write(999, "x", 1));
    close(fd);
    unlink("rw");
}

static void stats(void) {
    SECTION("stat, fstat, newfstatat, statx");
    write_file("s", "12345");
    struct stat st, lst;
    SHOW("stat", stat("s", &st));
    printf("  regular %s, size %ld, nlink %ld, mode %o, blksize>0 %s\n", S_ISREG(st.st_mode) ? "yes" : "no",
           (long)st.st_size, (long)st.st_nlink, st.st_mode & 07777, st.st_blksize > 0 ? "yes" : "no");
    int fd = open("s", O_RDONLY);
    struct stat fst;
    fstat(fd, &fst);
    FACT("fstat agrees with stat on dev and ino", fst.st_dev == st.st_dev && fst.st_ino == st.st_ino);
    SHOW("newfstatat AT_EMPTY_PATH", fstatat(fd, "", &fst, AT_EMPTY_PATH));
    FACT("  same inode", fst.st_ino == st.st_ino);
    SHOW("newfstatat(\"\") without AT_EMPTY_PATH", fstatat(fd, "", &fst, 0));
    SHOW("fstatat bad flags", fstatat(AT_FDCWD, "s", &fst, 0x8000000));
    close(fd);
    REQUIRE(symlink("s", "link") == 0);
    SHOW("lstat link", lstat("link", &lst));
    printf("  symlink %s, size %ld\n", S_ISLNK(lst.st_mode) ? "yes" : "no", (long)lst.st_size);
    SHOW("fstatat(link, AT_SYMLINK_NOFOLLOW)", fstatat(AT_FDCWD, "link", &lst, AT_SYMLINK_NOFOLLOW));
    FACT("  still the link", S_ISLNK(lst.st_mode));
    struct statx sx;
    SHOW("statx", statx(AT_FDCWD, "link", 0, STATX_BASIC_STATS, &sx));
    printf("  follows to file: %s, size %lld, has STATX_INO %s, STATX_SIZE %s\n", S_ISREG(sx.stx_mode) ? "yes" : "no",
           (long long)sx.stx_size, sx.stx_mask & STATX_INO ? "yes" : "no", sx.stx_mask & STATX_SIZE ? "yes" : "no");
    FACT("  statx ino equals stat ino", sx.stx_ino == st.st_ino);
    SHOW("statx bad mask bit", statx(AT_FDCWD, "s", 0, 0x80000000u, &sx));
    SHOW("stat missing", stat("nope", &st));
    SHOW("stat bad pointer", stat("s", BAD_POINTER));
    mkdir("d", 0755);
    stat("d", &st);
    printf("directory: %s, nlink %ld\n", S_ISDIR(st.st_mode) ? "yes" : "no", (long)st.st_nlink);
    rmdir("d");
    unlink("link");
    unlink("s");
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void listing(void) {
    SECTION("getdents64");
    mkdir("list", 0755);
    write_file("list/b", "");
    write_file("list/a", "");
    mkdir("list/sub", 0755);
    symlink("a", "list/ln");
    int fd = open("list", O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    char buf[64];
    SHOW("getdents64 into a tiny buffer", syscall(SYS_getdents64, fd, buf, 8));
    char big[4096];
    char *names[16];
    int count = 0;
    long n;
    /* A small buffer forces several calls, exercising the directory offset. */
    while ((n = syscall(SYS_getdents64, fd, big, 64)) > 0) {
        for (long off = 0; off < n;) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(big + off);
            if (count < 16) {
                static char store[16][64];
                const char *type = d->type == DT_DIR ? "dir" : d->type == DT_REG ? "file" : d->type == DT_LNK ? "link" : "other";
                snprintf(store[count], sizeof store[count], "%s (%s)", d->name, type);
                names[count] = store[count];
                count++;
            }
            off += d->reclen;
        }
    }
    qsort(names, count, sizeof *names, compare_names);
    for (int i = 0; i < count; i++) printf("  %s\n", names[i]);
    VALUE("getdents64 at end", n);
    SHOW("getdents64 on a file", ({ int f = open("list/a", O_RDONLY); long r = syscall(SYS_getdents64, f, big, sizeof big); int e = errno; close(f); errno = e; r; }));
    close(fd);
    DIR *dir = opendir("list");
    int entries = 0;
    while (readdir(dir)) entries++;
    closedir(dir);
    VALUE("readdir entries", entries);
    unlink("list/ln");
    rmdir("list/sub");
    unlink("list/a");
    unlink("list/b");
    rmdir("list");
}

static void namespace_ops(void) {
    SECTION("mkdir, rmdir, unlink, rename, link, symlink, readlink");
    SHOW("mkdir", mkdir("dir", 0755));
    SHOW("mkdir existing", mkdir("dir", 0755));
    SHOW("mkdir under missing parent", mkdir("missing/dir", 0755));
    write_file("dir/file", "x");
    SHOW("rmdir non-empty", rmdir("dir"));
    SHOW("rmdir a file", rmdir("dir/file"));
    SHOW("rmdir \".\"", rmdir("dir/."));
    SHOW("unlink a directory", unlink("dir"));
    SHOW("link", link("dir/file", "hard"));
    struct stat st;
    stat("hard", &st);
    VALUE("  nlink after link", st.st_nlink);
    SHOW("link onto existing", link("dir/file", "hard"));
    SHOW("link a directory", link("dir", "dirlink"));
    SHOW("rename file over file", rename("hard", "dir/file"));
    stat("dir/file", &st);
    VALUE("  nlink after renaming a link onto its twin", st.st_nlink);
    FACT("  renaming onto the same inode left both names", access("hard", F_OK) == 0);
    unlink("hard");
    write_file("other", "y");
    SHOW("rename onto existing file", rename("other", "dir/file"));
    print_contents("  replaced contents", "dir/file");
    SHOW("rename directory into itself", rename("dir", "dir/inner"));
    mkdir("empty", 0755);
    SHOW("rename file over directory", rename("dir/file", "empty"));
    SHOW("rename directory over file", rename("empty", "dir/file"));
    SHOW("rename directory over empty directory", ({ mkdir("empty2", 0755); rename("empty2", "empty"); }));
    SHOW("renameat2 RENAME_NOREPLACE onto existing", syscall(SYS_renameat2, AT_FDCWD, "empty", AT_FDCWD, "dir", 1));
    SHOW("rename missing", rename("missing", "x"));
    SHOW("symlink", symlink("dir/file", "sym"));
    SHOW("symlink onto existing", symlink("x", "sym"));
    char target[64] = {0};
    VALUE("readlink length", readlink("sym", target, sizeof target));
    printf("  target \"%s\"\n", target);
    char tiny[4] = {0};
    VALUE("readlink into 3 bytes", readlink("sym", tiny, 3));
    SHOW("readlink a file", readlink("dir/file", target, sizeof target));
    print_contents("read through symlink", "sym");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    SHOW("open a symlink loop", open("loop1", O_RDONLY));
    SHOW("open O_NOFOLLOW on a symlink", open("sym", O_RDONLY | O_NOFOLLOW));
    symlink("nowhere", "dangling");
    SHOW("stat dangling symlink", stat("dangling", &st));
    SHOW("lstat dangling symlink", lstat("dangling", &st));
    SHOW("unlink", unlink("sym"));
    SHOW("unlink missing", unlink("sym"));
    unlink("loop1");
    unlink("loop2");
    unlink("dangling");
    rmdir("empty");
    unlink("dir/file");
    SHOW("rmdir", rmdir("dir"));

    /* An unlinked file stays usable through an open descriptor. */
    int fd = open("ghost", O_CREAT | O_RDWR, 0644);
    unlink("ghost");
    write(fd, "boo", 3);
    char g[4] = {0};
    pread(fd, g, 3, 0);
    fstat(fd, &st);
    printf("unlinked open file: reads \"%s\", nlink %ld\n", g, (long)st.st_nlink);
    close(fd);
}

static void metadata(void) {
    SECTION("chmod, utimensat, truncate, ftruncate, access, faccessat2");
    write_file("m", "0123456789");
    struct stat st;
    SHOW("chmod 0600", chmod("m", 0600));
    stat("m", &st);
    printf("  mode %o\n", st.st_mode & 07777);
    int fd = open("m", O_RDWR);
    SHOW("fchmod 04755", fchmod(fd, 04755));
    fstat(fd, &st);
    printf("  mode %o\n", st.st_mode & 07777);
    struct timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
    SHOW("utimensat", utimensat(AT_FDCWD, "m", times, 0));
    stat("m", &st);
    printf("  atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec,
           st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {7, 0}};
    SHOW("utimensat UTIME_OMIT atime", utimensat(AT_FDCWD, "m", omit, 0));
    stat("m", &st);
    printf("  atime %ld mtime %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    SHOW("utimensat bad nsec", utimensat(AT_FDCWD, "m", bad, 0));
    SHOW("truncate to 4", truncate("m", 4));
    print_contents("  contents", "m");
    SHOW("ftruncate to 8", ftruncate(fd, 8));
    print_contents("  contents", "m");
    SHOW("ftruncate negative", ftruncate(fd, -1));
    SHOW("truncate a directory", truncate(".", 0));
    int ro = open("m", O_RDONLY);
    SHOW("ftruncate read-only fd", ftruncate(ro, 0));
    close(ro);
    close(fd);
    SHOW("access F_OK", access("m", F_OK));
    SHOW("access missing", access("missing", F_OK));
    SHOW("access bad mode", access("m", 0x40));
    SHOW("faccessat2 AT_EACCESS R_OK", syscall(SYS_faccessat2, AT_FDCWD, "m", R_OK, AT_EACCESS));
    SHOW("faccessat2 bad flags", syscall(SYS_faccessat2, AT_FDCWD, "m", R_OK, 0x1));
    chmod("m", 0644);
    SHOW("access X_OK on a 0644 file", access("m", X_OK));
    unlink("m");
}

static void descriptors(void) {
    SECTION("dup, dup2, dup3, fcntl, O_CLOEXEC across exec");
    write_file("dd", "abcdef");
    int fd = open("dd", O_RDONLY);
    REQUIRE(fd >= 0);
    int d = dup(fd);
    FACT("dup returns the lowest free descriptor", d == fd + 1);
    char c;
    read(fd, &c, 1);
    VALUE("dup shares the file offset", lseek(d, 0, SEEK_CUR));
    VALUE("dup2 onto 50", dup2(fd, 50));
    FACT("dup2 onto itself returns it", dup2(fd, fd) == fd);
    SHOW("dup2 from a bad fd", dup2(999, 51));
    SHOW("dup3 onto itself", dup3(fd, fd, 0));
    SHOW("dup3 bad flags", dup3(fd, 52, 0x1));
    VALUE("dup3 O_CLOEXEC onto 52", dup3(fd, 52, O_CLOEXEC));
    FACT("  52 has FD_CLOEXEC", fcntl(52, F_GETFD) & FD_CLOEXEC);
    FACT("  50 has no FD_CLOEXEC", !(fcntl(50, F_GETFD) & FD_CLOEXEC));
    VALUE("F_DUPFD_CLOEXEC from 60", fcntl(fd, F_DUPFD_CLOEXEC, 60));
    FACT("  60 has FD_CLOEXEC", fcntl(60, F_GETFD) & FD_CLOEXEC);
    VALUE("F_DUPFD from 60 takes next free", fcntl(fd, F_DUPFD, 60));
    FACT("F_GETFL is O_RDONLY", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    SHOW("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    FACT("  flags shared with the dup", (fcntl(d, F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK));
    FACT("  access mode unchanged", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    SHOW("F_SETFD FD_CLOEXEC", fcntl(d, F_SETFD, FD_CLOEXEC));
    FACT("  only on that descriptor", !(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    SHOW("fcntl bad command", fcntl(fd, 9999));
    SHOW("fcntl on a closed fd", fcntl(999, F_GETFD));
    SHOW("F_DUPFD beyond RLIMIT_NOFILE", fcntl(fd, F_DUPFD, 1 << 30));

    /* After exec, the child reports which of 50 (inheritable) and 52/60 (close-on-exec) it has. */
    fflush(stdout);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        execl(self, self, "report-fds", (char *)NULL);
        printf("  execve failed: %s\n", errno_name(errno));
        flush_all();
        _exit(97);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    printf("exec'd child: exited %d\n", WEXITSTATUS(status));
    for (int i = 0; i < 100; i++)
        if (i > 2) close(i);
    unlink("dd");
}

static int report_fds(void) {
    int probe[] = {50, 52, 60, 61};
    for (size_t i = 0; i < sizeof probe / sizeof *probe; i++)
        printf("  after exec, fd %d: %s\n", probe[i], fcntl(probe[i], F_GETFD) >= 0 ? "open" : errno_name(errno));
    char buf[8] = {0};
    pread(50, buf, 6, 0);
    printf("  fd 50 reads \"%s\"\n", buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "report-fds") == 0) return report_fds();
    static char self_path[PATH_MAX];
    REQUIRE(realpath(argv[0], self_path) != NULL);
    self = self_path;
    /* The umask would otherwise leak the caller's setting into every mode printed below. */
    umask(022);
    enter_scratch_dir();
    opening();
    reading_writing();
    stats();
    listing();
    namespace_ops();
    metadata();
    descriptors();
    leave_scratch_dir();
    return 0;
}
