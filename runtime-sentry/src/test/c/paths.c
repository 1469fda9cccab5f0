/*
 * Path resolution: empty, "." and ".." components, repeated and trailing slashes, symbolic links
 * in the middle and at the end of a path (followed or not, relative and absolute, chains and
 * loops), ".." at the root, search permission on every directory walked, and the NAME_MAX and
 * PATH_MAX limits. Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

/* "label: <type>" for what stat (or lstat) finds at path, or its errno. */
static void kind(const char *label, const char *path, int follow) {
    struct stat st;
    errno = 0;
    int rc = follow ? stat(path, &st) : lstat(path, &st);
    if (rc != 0) {
        printf("%s: %s\n", label, errno_name(errno));
        return;
    }
    const char *k = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "link" : "other";
    printf("%s: %s\n", label, k);
}

/* Whether a and b name the same file. */
static int same(const char *a, const char *b) {
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static void components(void) {
    SECTION("components");
    REQUIRE(mkdir("d", 0755) == 0);
    REQUIRE(mkdir("d/e", 0755) == 0);
    int fd = open("d/e/f", O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    kind("empty path", "", 1);
    kind("d/e/f", "d/e/f", 1);
    kind("d//e///f", "d//e///f", 1);
    kind("./d/./e/./f", "./d/./e/./f", 1);
    kind("d/e/../e/f", "d/e/../e/f", 1);
    kind("d/../d/e/../../d/e/f", "d/../d/e/../../d/e/f", 1);
    kind("d/e/", "d/e/", 1);
    kind("d/e//", "d/e//", 1);
    kind("d/e/.", "d/e/.", 1);
    kind("d/e/..", "d/e/..", 1);
    kind("d/e/f/", "d/e/f/", 1);
    kind("d/e/f/.", "d/e/f/.", 1);
    kind("d/e/f/..", "d/e/f/..", 1);
    kind("d/e/f/g", "d/e/f/g", 1);
    kind("d/missing/f", "d/missing/f", 1);
    kind("d/e/missing/", "d/e/missing/", 1);
    FACT("d/e/.. is d", same("d/e/..", "d"));
    FACT(". is the scratch directory", same(".", scratch_dir));
    FACT("/.. is /", same("/..", "/"));
    FACT("/../../.. is /", same("/../../..", "/"));
    FACT("//// is /", same("////", "/"));
    FACT("/./. is /", same("/./.", "/"));
}

static void links(void) {
    SECTION("symbolic links");
    REQUIRE(symlink("e", "d/to-e") == 0);
    REQUIRE(symlink("e/f", "d/to-f") == 0);
    REQUIRE(symlink("../../d", "d/e/up") == 0);
    REQUIRE(symlink(scratch_dir, "abs") == 0);
    REQUIRE(symlink("to-e", "d/chain") == 0);
    REQUIRE(symlink("missing", "d/dangling") == 0);
    REQUIRE(symlink("loop-b", "d/loop-a") == 0);
    REQUIRE(symlink("loop-a", "d/loop-b") == 0);
    kind("stat d/to-e", "d/to-e", 1);
    kind("lstat d/to-e", "d/to-e", 0);
    kind("lstat d/to-e/", "d/to-e/", 0);
    kind("lstat d/to-e/.", "d/to-e/.", 0);
    kind("stat d/to-e/f", "d/to-e/f", 1);
    kind("stat d/to-f", "d/to-f", 1);
    kind("lstat d/to-f", "d/to-f", 0);
    kind("stat d/to-f/", "d/to-f/", 1);
    kind("lstat d/to-f/", "d/to-f/", 0);
    kind("stat d/chain/f", "d/chain/f", 1);
    kind("lstat d/chain", "d/chain", 0);
    kind("stat d/e/up/e/f", "d/e/up/e/f", 1);
    kind("stat d/e/up/e/up/e/up/to-f", "d/e/up/e/up/e/up/to-f", 1);
    kind("stat abs/d/e/f", "abs/d/e/f", 1);
    kind("stat d/to-e/../e/f", "d/to-e/../e/f", 1);
    FACT("d/to-e/.. is d (.. after the link's target)", same("d/to-e/..", "d"));
    kind("stat d/dangling", "d/dangling", 1);
    kind("lstat d/dangling", "d/dangling", 0);
    kind("lstat d/dangling/", "d/dangling/", 0);
    kind("stat d/loop-a", "d/loop-a", 1);
    kind("lstat d/loop-a", "d/loop-a", 0);
    kind("stat d/loop-a/x", "d/loop-a/x", 1);
    char buf[64];
    errno = 0;
    ssize_t n = readlink("d/to-e", buf, sizeof buf);
    VALUE("readlink d/to-e", n);
    SHOW("readlink d/to-e/", readlink("d/to-e/", buf, sizeof buf));
    SHOW("readlink d/e (a directory)", readlink("d/e", buf, sizeof buf));
    SHOW("open d/to-e/f O_NOFOLLOW (link in the middle)", open("d/to-e/f", O_RDONLY | O_NOFOLLOW));
    SHOW("open d/to-f O_NOFOLLOW", open("d/to-f", O_RDONLY | O_NOFOLLOW));

    /* Forty links in a row resolve; one more is ELOOP (Linux's MAXSYMLINKS). */
    char name[32], target[32];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "d/n%d", i);
        if (i == 1) snprintf(target, sizeof target, "e");
        else snprintf(target, sizeof target, "n%d", i - 1);
        REQUIRE(symlink(target, name) == 0);
    }
    kind("stat through 40 links", "d/n40/f", 1);
    kind("stat through 41 links", "d/n41/f", 1);
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "d/n%d", i);
        REQUIRE(unlink(name) == 0);
    }
}

static void search_permission(void) {
    SECTION("search permission");
    REQUIRE(chmod(".", 0711) == 0);   /* others may search the scratch directory itself */
    REQUIRE(mkdir("locked", 0755) == 0);
    REQUIRE(mkdir("locked/in", 0755) == 0);
    REQUIRE(chmod("locked", 0644) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        /* An unprivileged walker: no search permission on "locked" stops every path through it. */
        REQUIRE(setgid(65534) == 0 && setuid(65534) == 0);
        kind("stat locked/in as nobody", "locked/in", 1);
        kind("stat locked/in/.. as nobody", "locked/in/..", 1);
        kind("stat locked/. as nobody", "locked/.", 1);
        kind("stat locked as nobody", "locked", 1);
        flush_all();
        _exit(0);
    }
    await_child(child);
    kind("stat locked/in as root", "locked/in", 1);
    REQUIRE(chmod("locked", 0755) == 0);
    REQUIRE(rmdir("locked/in") == 0);
    REQUIRE(rmdir("locked") == 0);
    REQUIRE(chmod(".", 0700) == 0);
}

static void limits(void) {
    SECTION("limits");
    char name[NAME_MAX + 2];
    memset(name, 'n', NAME_MAX);
    name[NAME_MAX] = '\0';
    kind("a missing name of NAME_MAX bytes", name, 1);
    name[NAME_MAX] = 'n';
    name[NAME_MAX + 1] = '\0';
    kind("a name of NAME_MAX+1 bytes", name, 1);
    char dir_name[NAME_MAX + 8];
    snprintf(dir_name, sizeof dir_name, "d/%s", name);
    kind("d/ then a name of NAME_MAX+1 bytes", dir_name, 1);

    /* ./././…: PATH_MAX-1 bytes is a path to walk; PATH_MAX bytes is too long. */
    static char path[PATH_MAX + 2];
    for (int i = 0; i < PATH_MAX - 1; i += 2) {
        path[i] = '.';
        path[i + 1] = '/';
    }
    path[PATH_MAX - 1] = '\0';
    kind("a path of PATH_MAX-1 bytes", path, 1);
    path[PATH_MAX - 1] = '.';
    path[PATH_MAX] = '\0';
    kind("a path of PATH_MAX bytes", path, 1);
}

static void cleanup(void) {
    const char *links[] = {"d/to-e", "d/to-f", "d/e/up", "abs", "d/chain", "d/dangling", "d/loop-a", "d/loop-b"};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) REQUIRE(unlink(links[i]) == 0);
    REQUIRE(unlink("d/e/f") == 0);
    REQUIRE(rmdir("d/e") == 0);
    REQUIRE(rmdir("d") == 0);
}

int main(void) {
    enter_scratch_dir();
    components();
    links();
    search_permission();
    limits();
    cleanup();
    leave_scratch_dir();
    return 0;
}
