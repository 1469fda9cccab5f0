/*
 * The rest of the file surface: the legacy path calls libc no longer uses (open, stat, lstat,
 * getdents, utime, utimes, futimesat) called directly, the *at family relative to a directory
 * fd, ownership, times, flock, syncing, fallocate, vectored and positioned I/O with flags,
 * sendfile, statfs, mknod, extended attributes on a filesystem without any, close_range,
 * chroot and execveat. Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <utime.h>

/* struct linux_dirent of getdents(2): not in any libc header. */
struct old_dirent {
    unsigned long d_ino;
    unsigned long d_off;
    unsigned short d_reclen;
    char d_name[];
};

static void legacy_calls(void) {
    SECTION("legacy path calls");
    int fd = syscall(SYS_open, "legacy", O_CREAT | O_WRONLY | O_TRUNC, 0640);
    FACT("open O_CREAT", fd >= 0);
    VALUE("write", write(fd, "0123456789", 10));
    struct stat st;
    SHOW("fstat", syscall(SYS_fstat, fd, &st));
    VALUE("  size", st.st_size);
    printf("  mode %o\n", st.st_mode & 07777);
    close(fd);
    SHOW("stat", syscall(SYS_stat, "legacy", &st));
    FACT("  regular", S_ISREG(st.st_mode));
    SHOW("symlink", symlink("legacy", "legacy-link"));
    SHOW("lstat the link", syscall(SYS_lstat, "legacy-link", &st));
    FACT("  is a link", S_ISLNK(st.st_mode));
    VALUE("  size is the target length", st.st_size);
    SHOW("stat through the link", syscall(SYS_stat, "legacy-link", &st));
    FACT("  regular", S_ISREG(st.st_mode));
    SHOW("stat missing", syscall(SYS_stat, "missing", &st));
    SHOW("stat bad buffer", syscall(SYS_stat, "legacy", BAD_POINTER));
    SHOW("open missing without O_CREAT", syscall(SYS_open, "missing", O_RDONLY));

    struct utimbuf ut = {.actime = 1000000000, .modtime = 1100000000};
    SHOW("utime", syscall(SYS_utime, "legacy", &ut));
    REQUIRE(stat("legacy", &st) == 0);
    FACT("  atime and mtime set", st.st_atime == 1000000000 && st.st_mtime == 1100000000);
    struct timeval tv[2] = {{.tv_sec = 1200000000, .tv_usec = 500000}, {.tv_sec = 1300000000, .tv_usec = 250000}};
    SHOW("utimes", syscall(SYS_utimes, "legacy", tv));
    REQUIRE(stat("legacy", &st) == 0);
    FACT("  microseconds kept", st.st_mtime == 1300000000 && st.st_mtim.tv_nsec == 250000000);
    tv[1].tv_usec = 2000000;
    SHOW("utimes usec out of range", syscall(SYS_utimes, "legacy", tv));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0);
    tv[1].tv_usec = 0;
    SHOW("futimesat", syscall(SYS_futimesat, dir, "legacy", tv));
    REQUIRE(stat("legacy", &st) == 0);
    FACT("  mtime set", st.st_mtime == 1300000000 && st.st_mtim.tv_nsec == 0);
    SHOW("utime NULL sets now", syscall(SYS_utime, "legacy", NULL));
    REQUIRE(stat("legacy", &st) == 0);
    FACT("  mtime is recent", st.st_mtime > 1600000000);

    char buf[1024];
    long n = syscall(SYS_getdents, dir, buf, sizeof buf);
    FACT("getdents", n > 0);
    int count = 0, saw_legacy = 0;
    for (long off = 0; off < n;) {
        struct old_dirent *d = (struct old_dirent *)(buf + off);
        count++;
        if (strcmp(d->d_name, "legacy") == 0) {
            saw_legacy = 1;
            /* The type byte is the last byte of the record. */
            FACT("  legacy has type DT_REG", buf[off + d->d_reclen - 1] == DT_REG);
        }
        off += d->d_reclen;
    }
    VALUE("  entries", count);
    FACT("  legacy listed", saw_legacy);
    VALUE("getdents at the end", syscall(SYS_getdents, dir, buf, sizeof buf));
    SHOW("getdents buffer too small", (lseek(dir, 0, SEEK_SET), syscall(SYS_getdents, dir, buf, 8)));
    SHOW("getdents on a file", syscall(SYS_getdents, 1, buf, sizeof buf));
    close(dir);
    REQUIRE(unlink("legacy-link") == 0 && unlink("legacy") == 0);
}

static void at_family(void) {
    SECTION("*at calls relative to a directory fd");
    REQUIRE(mkdir("d", 0755) == 0);
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0);
    SHOW("mkdirat", mkdirat(dir, "sub", 0700));
    SHOW("mkdirat existing", mkdirat(dir, "sub", 0700));
    int fd = openat(dir, "f", O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    close(fd);
    SHOW("linkat", linkat(dir, "f", dir, "g", 0));
    struct stat st;
    REQUIRE(fstatat(dir, "f", &st, 0) == 0);
    VALUE("  link count", st.st_nlink);
    SHOW("symlinkat", symlinkat("f", dir, "s"));
    char target[64] = {0};
    VALUE("readlinkat", readlinkat(dir, "s", target, sizeof target));
    printf("  target %s\n", target);
    SHOW("readlinkat on a file", readlinkat(dir, "f", target, sizeof target));
    SHOW("renameat", renameat(dir, "g", dir, "sub/h"));
    FACT("  moved", faccessat(dir, "sub/h", F_OK, 0) == 0 && faccessat(dir, "g", F_OK, 0) != 0);
    SHOW("faccessat R_OK|W_OK", faccessat(dir, "f", R_OK | W_OK, 0));
    SHOW("faccessat missing", faccessat(dir, "nope", F_OK, 0));
    SHOW("faccessat bad mode", faccessat(dir, "f", 0100, 0));
    SHOW("faccessat(2) without flags", syscall(SYS_faccessat, dir, "f", R_OK));
    SHOW("faccessat(2) missing", syscall(SYS_faccessat, dir, "nope", F_OK));
    SHOW("fchmodat", fchmodat(dir, "f", 0644, 0));
    REQUIRE(fstatat(dir, "f", &st, 0) == 0);
    printf("  mode %o\n", st.st_mode & 07777);
    SHOW("fchownat", fchownat(dir, "f", 65534, 65534, 0));
    REQUIRE(fstatat(dir, "f", &st, 0) == 0);
    FACT("  owned by nobody", st.st_uid == 65534 && st.st_gid == 65534);
    SHOW("fchownat AT_SYMLINK_NOFOLLOW on the link", fchownat(dir, "s", 65534, -1, AT_SYMLINK_NOFOLLOW));
    REQUIRE(fstatat(dir, "s", &st, AT_SYMLINK_NOFOLLOW) == 0);
    FACT("  link owned by nobody", st.st_uid == 65534);
    SHOW("chown back", chown("d/f", 0, 0));
    SHOW("lchown the link back", lchown("d/s", 0, 0));
    fd = openat(dir, "f", O_RDWR);
    REQUIRE(fd >= 0);
    SHOW("fchown", fchown(fd, 0, 65534));
    REQUIRE(fstat(fd, &st) == 0);
    FACT("  group nobody", st.st_gid == 65534);
    SHOW("fchown on a bad fd", fchown(999, 0, 0));
    close(fd);
    SHOW("mknodat FIFO", mknodat(dir, "fifo", S_IFIFO | 0600, 0));
    REQUIRE(fstatat(dir, "fifo", &st, 0) == 0);
    FACT("  is a FIFO", S_ISFIFO(st.st_mode));
    SHOW("mknod(2) regular", syscall(SYS_mknod, "d/plain", S_IFREG | 0600, 0));
    REQUIRE(stat("d/plain", &st) == 0);
    FACT("  is regular", S_ISREG(st.st_mode));
    SHOW("mknod bad type", mknod("d/odd", 0170000 | 0600, 0));
    SHOW("unlinkat a directory without AT_REMOVEDIR", unlinkat(dir, "sub", 0));
    SHOW("unlinkat a non-empty directory", unlinkat(dir, "sub", AT_REMOVEDIR));
    SHOW("unlinkat sub/h", unlinkat(dir, "sub/h", 0));
    SHOW("unlinkat sub", unlinkat(dir, "sub", AT_REMOVEDIR));
    SHOW("unlinkat bad flags", unlinkat(dir, "f", 0x1));
    SHOW("*at with a file as dirfd", mkdirat(1, "x", 0700));
    const char *names[] = {"f", "s", "fifo", "plain"};
    for (int i = 0; i < 4; i++) REQUIRE(unlinkat(dir, names[i], 0) == 0);
    close(dir);
    REQUIRE(rmdir("d") == 0);
}

static void io_and_sync(void) {
    SECTION("vectored I/O, sendfile, sync, locks, fallocate");
    int fd = open("io", O_CREAT | O_RDWR | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    struct iovec w[2] = {{"hello ", 6}, {"world", 5}};
    VALUE("pwritev at 4", pwritev(fd, w, 2, 4));
    VALUE("pwritev2 at 0, flags 0", pwritev2(fd, w, 1, 0, 0));
    VALUE("pwritev2 offset -1 writes at the file position", pwritev2(fd, w + 1, 1, -1, 0));
    char a[8] = {0}, b[16] = {0};
    struct iovec r[2] = {{a, 4}, {b, 16}};
    VALUE("preadv2 at 0", preadv2(fd, r, 2, 0, 0));
    printf("  got '%s' '%.11s'\n", a, b);
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    memset(a, 0, sizeof a);
    VALUE("readv from the position", readv(fd, r, 1));
    printf("  got '%s'\n", a);
    struct iovec bad = {BAD_POINTER, 4};
    SHOW("readv into a bad buffer", readv(fd, &bad, 1));
    SHOW("preadv2 bad flags", preadv2(fd, r, 1, 0, 0x1000));

    SHOW("fsync", fsync(fd));
    SHOW("fdatasync", fdatasync(fd));
    SHOW("sync_file_range", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    SHOW("sync_file_range bad flags", sync_file_range(fd, 0, 0, 0x100));
    SHOW("syncfs", syncfs(fd));
    sync();
    printf("sync: returned\n");
    SHOW("fsync a bad fd", fsync(999));

    SHOW("fallocate 64 KiB", fallocate(fd, 0, 0, 65536));
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    VALUE("  size", st.st_size);
    SHOW("fallocate negative length", fallocate(fd, 0, 0, -1));
    int ro = open("io", O_RDONLY);
    SHOW("fallocate read-only fd", fallocate(ro, 0, 0, 10));

    int out = open("copy", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    REQUIRE(out >= 0);
    off_t off = 4;
    VALUE("sendfile 11 bytes from offset 4", sendfile(out, fd, &off, 11));
    VALUE("  offset advanced to", off);
    char c[16] = {0};
    REQUIRE(pread(open("copy", O_RDONLY), c, sizeof c, 0) == 11);
    printf("  copy holds '%s'\n", c);
    SHOW("sendfile to a read-only fd", sendfile(ro, fd, NULL, 1));

    int dst = open("dst", O_CREAT | O_RDWR | O_TRUNC, 0600);
    REQUIRE(dst >= 0);
    loff_t in_off = 4, out_off = 2;
    VALUE("copy_file_range 11 bytes from 4 to 2", copy_file_range(fd, &in_off, dst, &out_off, 11, 0));
    FACT("  both offsets advanced", in_off == 15 && out_off == 13);
    memset(c, 0, sizeof c);
    REQUIRE(pread(dst, c, sizeof c, 2) == 11);
    printf("  destination holds '%s'\n", c);
    REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
    VALUE("copy_file_range from the file positions", copy_file_range(fd, NULL, dst, NULL, 6, 0));
    FACT("  positions moved", lseek(fd, 0, SEEK_CUR) == 6 && lseek(dst, 0, SEEK_CUR) == 6);
    SHOW("copy_file_range bad flags", copy_file_range(fd, NULL, dst, NULL, 1, 1));
    SHOW("copy_file_range to a read-only fd", copy_file_range(fd, NULL, ro, NULL, 1, 0));
    loff_t a_off = 0, b_off = 4;
    SHOW("copy_file_range overlapping in one file", copy_file_range(fd, &a_off, fd, &b_off, 8, 0));
    int pp[2];
    REQUIRE(pipe(pp) == 0);
    SHOW("copy_file_range into a pipe", copy_file_range(fd, NULL, pp[1], NULL, 1, 0));
    SHOW("posix_fadvise SEQUENTIAL", syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    SHOW("posix_fadvise bad advice", syscall(SYS_fadvise64, fd, 0, 0, 99));
    SHOW("posix_fadvise on a pipe", syscall(SYS_fadvise64, pp[0], 0, 0, POSIX_FADV_NORMAL));
    SHOW("readahead", readahead(fd, 0, 4096));
    SHOW("readahead on a pipe", readahead(pp[0], 0, 4096));
    close(pp[0]);
    close(pp[1]);
    close(dst);
    REQUIRE(unlink("dst") == 0);

    SHOW("flock LOCK_EX", flock(fd, LOCK_EX));
    SHOW("flock LOCK_SH|LOCK_NB converts the lock", flock(fd, LOCK_SH | LOCK_NB));
    SHOW("flock LOCK_UN", flock(fd, LOCK_UN));
    SHOW("flock bad operation", flock(fd, 0));
    SHOW("flock a bad fd", flock(999, LOCK_SH));

    struct statfs sf;
    SHOW("statfs", statfs(".", &sf));
    FACT("  block size set", sf.f_bsize > 0);
    SHOW("fstatfs", fstatfs(fd, &sf));
    SHOW("statfs missing", statfs("missing", &sf));
    close(ro);
    close(out);
    close(fd);
    REQUIRE(unlink("io") == 0 && unlink("copy") == 0);
}

static void xattrs(void) {
    SECTION("extended attributes on files that have none");
    int fd = open("x", O_CREAT | O_RDWR, 0600);
    REQUIRE(fd >= 0);
    char v[32];
    SHOW("getxattr user.none", getxattr("x", "user.none", v, sizeof v));
    SHOW("lgetxattr user.none", lgetxattr("x", "user.none", v, sizeof v));
    SHOW("fgetxattr user.none", fgetxattr(fd, "user.none", v, sizeof v));
    VALUE("listxattr", listxattr("x", v, sizeof v));
    VALUE("llistxattr", llistxattr("x", v, sizeof v));
    VALUE("flistxattr", flistxattr(fd, v, sizeof v));
    SHOW("setxattr in an unknown namespace", setxattr("x", "jvisor.n", "v", 1, 0));
    SHOW("lsetxattr in an unknown namespace", lsetxattr("x", "jvisor.n", "v", 1, 0));
    SHOW("fsetxattr in an unknown namespace", fsetxattr(fd, "jvisor.n", "v", 1, 0));
    SHOW("removexattr user.none", removexattr("x", "user.none"));
    SHOW("lremovexattr user.none", lremovexattr("x", "user.none"));
    SHOW("fremovexattr user.none", fremovexattr(fd, "user.none"));
    SHOW("getxattr on a missing file", getxattr("missing", "user.none", v, sizeof v));
    SHOW("fgetxattr on a bad fd", fgetxattr(999, "user.none", v, sizeof v));
    close(fd);
    REQUIRE(unlink("x") == 0);
}

static void memfd(void) {
    SECTION("memfd_create");
    int fd = memfd_create("scratch", MFD_CLOEXEC);
    FACT("memfd_create", fd >= 0);
    FACT("  close-on-exec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
    char link[64] = {0}, path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    REQUIRE(readlink(path, link, sizeof link - 1) > 0);
    printf("  /proc/self/fd shows %s\n", link);
    VALUE("write", write(fd, "memory file", 11));
    SHOW("ftruncate to 8192", ftruncate(fd, 8192));
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    FACT("  regular, 8192 bytes", S_ISREG(st.st_mode) && st.st_size == 8192);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    FACT("mmap MAP_SHARED", m != MAP_FAILED);
    FACT("  sees what was written", m != MAP_FAILED && memcmp(m, "memory file", 11) == 0);
    if (m != MAP_FAILED) {
        memcpy(m + 4096, "through the map", 15);
        munmap(m, 8192);
    }
    char buf[16] = {0};
    VALUE("pread sees the store through the mapping", pread(fd, buf, 15, 4096));
    printf("  got '%s'\n", buf);
    close(fd);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    SHOW("memfd_create with a 299-byte name", memfd_create(longname, 0));
    SHOW("memfd_create bad flags", memfd_create("x", 0x100));
    SHOW("memfd_create bad name pointer", syscall(SYS_memfd_create, BAD_POINTER, 0));
}

static void fds_and_roots(void) {
    SECTION("close_range, chroot, execveat");
    for (int i = 0; i < 3; i++) REQUIRE(dup2(0, 40 + i) == 40 + i);
    SHOW("close_range 40..41", close_range(40, 41, 0));
    FACT("  40 closed", fcntl(40, F_GETFD) == -1 && errno == EBADF);
    FACT("  42 open", fcntl(42, F_GETFD) == 0);
    SHOW("close_range CLOSE_RANGE_CLOEXEC", close_range(42, ~0U, CLOSE_RANGE_CLOEXEC));
    FACT("  42 has FD_CLOEXEC", fcntl(42, F_GETFD) == FD_CLOEXEC);
    SHOW("close_range first > last", close_range(5, 4, 0));
    SHOW("close_range bad flags", close_range(42, 42, 0x80));
    close(42);

    REQUIRE(mkdir("jail", 0755) == 0);
    int fd = open("jail/inside", O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    close(fd);
    pid_t child = fork_flushed();
    if (child == 0) {
        SHOW("chroot jail", chroot("jail"));
        SHOW("chdir /", chdir("/"));
        FACT("  /inside visible", access("/inside", F_OK) == 0);
        FACT("  /jail no longer visible", access("/jail", F_OK) != 0);
        SHOW("chroot missing", chroot("missing"));
        flush_all();
        _exit(0);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(unlink("jail/inside") == 0 && rmdir("jail") == 0);

    child = fork_flushed();
    if (child == 0) {
        char *argv[] = {"sh", "-c", "exit 7", NULL}, *envp[] = {NULL};
        syscall(SYS_execveat, AT_FDCWD, "/bin/sh", argv, envp, 0);
        printf("execveat: %s\n", errno_name(errno));
        flush_all();
        _exit(1);
    }
    REQUIRE(waitpid(child, &status, 0) == child);
    VALUE("execveat /bin/sh -c 'exit 7' exits with", WEXITSTATUS(status));
    char *argv[] = {"x", NULL}, *envp[] = {NULL};
    SHOW("execveat missing", syscall(SYS_execveat, AT_FDCWD, "/no/such/program", argv, envp, 0));
    SHOW("execveat bad flags", syscall(SYS_execveat, AT_FDCWD, "/bin/sh", argv, envp, 0x1));
}

int main(void) {
    enter_scratch_dir();
    legacy_calls();
    at_family();
    io_and_sync();
    xattrs();
    memfd();
    fds_and_roots();
    leave_scratch_dir();
    return 0;
}
