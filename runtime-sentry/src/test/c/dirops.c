/*
 * Operations on names and their edge cases: mkdir and rmdir of ".", "..", trailing slashes and
 * existing names; unlink of directories; rename onto itself, into its own subdirectory, over
 * empty and non-empty directories and across types; hard links to directories; creating through
 * a dangling symbolic link (O_CREAT follows it, O_EXCL and mkdir do not); a working directory
 * that was removed. Everything happens in a private scratch directory.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

static void touch(const char *path) {
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    close(fd);
}

static void make_and_remove(void) {
    SECTION("mkdir and rmdir");
    SHOW("mkdir d", mkdir("d", 0755));
    SHOW("mkdir d again", mkdir("d", 0755));
    SHOW("mkdir e/ (trailing slash)", mkdir("e/", 0755));
    SHOW("mkdir .", mkdir(".", 0755));
    SHOW("mkdir ..", mkdir("..", 0755));
    SHOW("mkdir missing/x", mkdir("missing/x", 0755));
    touch("f");
    SHOW("mkdir f (a file)", mkdir("f", 0755));
    SHOW("mkdir f/x", mkdir("f/x", 0755));
    SHOW("rmdir .", rmdir("."));
    SHOW("rmdir ..", rmdir(".."));
    SHOW("rmdir d/.", rmdir("d/."));
    SHOW("rmdir d/..", rmdir("d/.."));
    SHOW("rmdir f (a file)", rmdir("f"));
    SHOW("rmdir missing", rmdir("missing"));
    touch("d/inside");
    SHOW("rmdir d (not empty)", rmdir("d"));
    SHOW("unlink d (a directory)", unlink("d"));
    SHOW("unlink d/inside/ (a file with a slash)", unlink("d/inside/"));
    SHOW("unlink d/inside", unlink("d/inside"));
    SHOW("rmdir e/ (trailing slash)", rmdir("e/"));
    SHOW("rmdir d", rmdir("d"));
    SHOW("unlink f", unlink("f"));
}

static void renames(void) {
    SECTION("rename");
    REQUIRE(mkdir("a", 0755) == 0);
    REQUIRE(mkdir("a/sub", 0755) == 0);
    REQUIRE(mkdir("empty", 0755) == 0);
    REQUIRE(mkdir("full", 0755) == 0);
    touch("full/x");
    touch("file");
    touch("other");
    SHOW("rename file onto itself", rename("file", "file"));
    SHOW("rename a onto itself", rename("a", "a"));
    SHOW("rename a into a/sub/a", rename("a", "a/sub/a"));
    SHOW("rename a into a/x", rename("a", "a/x"));
    SHOW("rename a over full (not empty)", rename("a", "full"));
    SHOW("rename file over a (a directory)", rename("file", "a"));
    SHOW("rename a over file (a file)", rename("a", "file"));
    SHOW("rename missing", rename("missing", "m2"));
    SHOW("rename file to missing/dir/x", rename("file", "missing/x"));
    SHOW("rename file to file2/ (trailing slash)", rename("file", "file2/"));
    SHOW("rename . away", rename(".", "dot"));
    SHOW("rename a/sub/.. away", rename("a/sub/..", "dotdot"));
    SHOW("rename a over empty", rename("a", "empty"));
    struct stat st;
    FACT("  empty is now a (has sub)", stat("empty/sub", &st) == 0);
    FACT("  a is gone", stat("a", &st) != 0 && errno == ENOENT);
    SHOW("rename other over file", rename("other", "file"));
    FACT("  other is gone", stat("other", &st) != 0 && errno == ENOENT);
    SHOW("rename empty/ to moved/ (slashes)", rename("empty/", "moved/"));
    REQUIRE(rmdir("moved/sub") == 0);
    REQUIRE(rmdir("moved") == 0);
    REQUIRE(unlink("full/x") == 0);
    REQUIRE(rmdir("full") == 0);
    REQUIRE(unlink("file") == 0);
}

static void links(void) {
    SECTION("links");
    REQUIRE(mkdir("d", 0755) == 0);
    touch("f");
    SHOW("link to a directory", link("d", "d2"));
    SHOW("link over an existing name", link("f", "d"));
    SHOW("link f f2", link("f", "f2"));
    struct stat st;
    REQUIRE(stat("f", &st) == 0);
    VALUE("  nlink", st.st_nlink);
    SHOW("link f into missing/", link("f", "missing/f"));
    SHOW("link f f3/ (trailing slash)", link("f", "f3/"));
    SHOW("symlink f s/ (trailing slash)", symlink("f", "s/"));
    SHOW("mkfifo p/ (trailing slash)", mkfifo("p/", 0644));
    SHOW("symlink with an empty target", symlink("", "empty-link"));
    SHOW("symlink over an existing name", symlink("f", "d"));
    SHOW("symlink to a missing target", symlink("later", "dangling"));
    show_open("open O_CREAT|O_EXCL through a dangling link", "dangling", O_CREAT | O_EXCL | O_WRONLY, 0644);
    SHOW("mkdir over a dangling link", mkdir("dangling", 0755));
    show_open("open O_CREAT through a dangling link", "dangling", O_CREAT | O_WRONLY, 0644);
    FACT("  it created the target", stat("later", &st) == 0 && S_ISREG(st.st_mode));
    show_open("open O_CREAT|O_NOFOLLOW of a link", "dangling", O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
    show_open("open O_CREAT d/ (an existing directory)", "d/", O_CREAT | O_WRONLY, 0644);
    show_open("open O_CREAT new/ (trailing slash)", "new/", O_CREAT | O_WRONLY, 0644);
    REQUIRE(unlink("dangling") == 0);
    REQUIRE(unlink("later") == 0);
    REQUIRE(unlink("f2") == 0);
    REQUIRE(unlink("f") == 0);
    REQUIRE(rmdir("d") == 0);
}

static void removed_cwd(void) {
    SECTION("removed working directory");
    REQUIRE(mkdir("gone", 0755) == 0);
    pid_t child = fork_flushed();
    if (child == 0) {
        REQUIRE(chdir("gone") == 0);
        REQUIRE(rmdir("../gone") == 0);
        char buf[4096];
        errno = 0;
        char *cwd = getcwd(buf, sizeof buf);
        printf("getcwd: %s\n", cwd ? "ok" : errno_name(errno));
        struct stat st;
        SHOW("stat .", stat(".", &st));
        VALUE("  nlink", st.st_nlink);
        show_open("create in it", "x", O_CREAT | O_WRONLY, 0644);
        SHOW("mkdir in it", mkdir("sub", 0755));
        SHOW("chdir ..", chdir(".."));
        flush_all();
        _exit(0);
    }
    await_child(child);
    struct stat st;
    FACT("gone is gone", stat("gone", &st) != 0 && errno == ENOENT);
}

int main(void) {
    enter_scratch_dir();
    make_and_remove();
    renames();
    links();
    removed_cwd();
    leave_scratch_dir();
    return 0;
}
