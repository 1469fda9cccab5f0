/*
 * File modes and who may change them: the umask on every kind of creation, a set-group-ID
 * directory passing its group (and, to directories, its bit) to what is created in it, chmod
 * and chown by owner and non-owner, the set-user-ID and set-group-ID bits cleared by chown and by
 * a write from someone without CAP_FSETID, the sticky bit on a shared directory, and access(2)
 * for root on a file nobody may execute. Runs as root and as nobody (65534). Everything happens
 * in a private scratch directory.
 */
#include "behaviour.h"

#include <sys/stat.h>

#define NOBODY 65534

static int mode_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static int gid_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)st.st_gid : -1;
}

static void creations(void) {
    SECTION("umask");
    mode_t old = umask(027);
    int fd = open("file", O_CREAT | O_WRONLY, 0666);
    REQUIRE(fd >= 0);
    close(fd);
    printf("open 0666 under 027: %o\n", mode_of("file"));
    REQUIRE(mkdir("dir", 0777) == 0);
    printf("mkdir 0777 under 027: %o\n", mode_of("dir"));
    REQUIRE(mkfifo("fifo", 0666) == 0);
    printf("mkfifo 0666 under 027: %o\n", mode_of("fifo"));
    REQUIRE(mknod("node", S_IFREG | 0666, 0) == 0);
    printf("mknod 0666 under 027: %o\n", mode_of("node"));
    REQUIRE(symlink("file", "link") == 0);
    printf("symlink: %o\n", mode_of("link"));
    printf("umask returned the old mask: %o\n", umask(old));
    SHOW("chmod 04755 by the owner", chmod("file", 04755));
    printf("  now %o\n", mode_of("file"));
    SHOW("chmod with file-type bits", chmod("file", S_IFDIR | 0644));
    printf("  now %o\n", mode_of("file"));
    REQUIRE(unlink("file") == 0 && rmdir("dir") == 0 && unlink("fifo") == 0 && unlink("node") == 0 && unlink("link") == 0);
}

static void setgid_directory(void) {
    SECTION("set-group-ID directory");
    REQUIRE(mkdir("shared", 0775) == 0);
    REQUIRE(chown("shared", 0, 4242) == 0);
    REQUIRE(chmod("shared", 02775) == 0);
    int fd = open("shared/file", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    FACT("a file in it takes its group", gid_of("shared/file") == 4242);
    FACT("  and not the bit", (mode_of("shared/file") & S_ISGID) == 0);
    REQUIRE(mkdir("shared/sub", 0755) == 0);
    FACT("a directory in it takes its group", gid_of("shared/sub") == 4242);
    FACT("  and the bit", (mode_of("shared/sub") & S_ISGID) != 0);
    REQUIRE(mkfifo("shared/fifo", 0644) == 0);
    FACT("a FIFO in it takes its group", gid_of("shared/fifo") == 4242);
    REQUIRE(unlink("shared/file") == 0 && rmdir("shared/sub") == 0 && unlink("shared/fifo") == 0 && rmdir("shared") == 0);
}

static void privilege_bits(void) {
    SECTION("set-ID bits");
    REQUIRE(chmod(".", 0711) == 0);   /* nobody may reach files here */
    int fd = open("prog", O_CREAT | O_WRONLY, 0755);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE(chmod("prog", 06755) == 0);
    SHOW("chown to the same owner", chown("prog", 0, 0));
    printf("  mode %o (chown clears set-ID bits)\n", mode_of("prog"));
    REQUIRE(chmod("prog", 06755) == 0);
    REQUIRE(chown("prog", NOBODY, 0) == 0);
    REQUIRE(chmod("prog", 06777) == 0);
    printf("mode before nobody writes: %o\n", mode_of("prog"));
    pid_t child = fork_flushed();
    if (child == 0) {
        REQUIRE(setgid(NOBODY) == 0 && setuid(NOBODY) == 0);
        int w = open("prog", O_WRONLY);
        REQUIRE(w >= 0);
        VALUE("  nobody writes", write(w, "x", 1));
        close(w);
        flush_all();
        _exit(0);
    }
    await_child(child);
    printf("  mode after (the writer lacked CAP_FSETID): %o\n", mode_of("prog"));
    REQUIRE(chmod("prog", 06777) == 0);
    fd = open("prog", O_WRONLY);
    REQUIRE(fd >= 0);
    VALUE("root writes", write(fd, "y", 1));
    close(fd);
    printf("  mode after root's write: %o\n", mode_of("prog"));
    REQUIRE(unlink("prog") == 0);
    REQUIRE(chmod(".", 0700) == 0);
}

static void others(void) {
    SECTION("owners and others");
    REQUIRE(chmod(".", 0777) == 0);
    int fd = open("roots", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE(mkdir("sticky", 0777) == 0);
    REQUIRE(chmod("sticky", 01777) == 0);
    fd = open("sticky/roots", O_CREAT | O_WRONLY, 0666);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE(chmod("sticky/roots", 0666) == 0);
    REQUIRE(mkdir("closed", 0755) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        REQUIRE(setgid(NOBODY) == 0 && setuid(NOBODY) == 0);
        SHOW("  nobody chmods root's file", chmod("roots", 0666));
        SHOW("  nobody chowns root's file to itself", chown("roots", NOBODY, NOBODY));
        SHOW("  nobody creates in a 755 directory", open("closed/x", O_CREAT | O_WRONLY, 0644));
        SHOW("  nobody creates in a sticky 1777 directory", open("sticky/mine", O_CREAT | O_WRONLY, 0644));
        SHOW("  nobody removes root's file there", unlink("sticky/roots"));
        SHOW("  nobody renames it away", rename("sticky/roots", "sticky/taken"));
        SHOW("  nobody chowns its own file to a group it is not in", chown("sticky/mine", (uid_t)-1, 4242));
        SHOW("  nobody chowns its own file to its own group", chown("sticky/mine", (uid_t)-1, NOBODY));
        SHOW("  nobody removes its own file there", unlink("sticky/mine"));
        flush_all();
        _exit(0);
    }
    await_child(child);
    fd = open("noexec", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    SHOW("root access(X_OK) on a file nobody may execute", access("noexec", X_OK));
    SHOW("root access(R_OK|W_OK) on a 0 mode file", (chmod("noexec", 0), access("noexec", R_OK | W_OK)));
    SHOW("root access(X_OK) on a 0 mode directory", (chmod("closed", 0), access("closed", X_OK)));
    REQUIRE(unlink("noexec") == 0 && rmdir("closed") == 0 && unlink("sticky/roots") == 0 && rmdir("sticky") == 0);
    REQUIRE(unlink("roots") == 0);
    REQUIRE(chmod(".", 0700) == 0);
}

int main(void) {
    enter_scratch_dir();
    creations();
    setgid_directory();
    privilege_bits();
    others();
    leave_scratch_dir();
    return 0;
}
