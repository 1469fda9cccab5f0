/*
 * File-backed mappings: private and shared mappings of a program file (the running executable,
 * read-only and large) and of a file the program writes, what they show after writes through
 * the mapping and through write(2), the end of the file, mprotect, fork, mremap and madvise.
 */
#include "behaviour.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

static sigjmp_buf recover;
static volatile int caught;

static void on_fault(int sig) {
    caught = sig;
    siglongjmp(recover, 1);
}

/* The signal touching p raises (0 when none). */
static int touch(volatile const char *p) {
    caught = 0;
    if (sigsetjmp(recover, 1) == 0) (void)*p;
    return caught;
}

static const char *signame(int sig) {
    return sig == 0 ? "none" : sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "other";
}

static long page;

/* Whether [len] bytes at p equal the file's bytes at off, read with pread. */
static int same_as_file(int fd, const char *p, off_t off, size_t len) {
    char *buf = malloc(len);
    REQUIRE(buf != NULL);
    REQUIRE(pread(fd, buf, len, off) == (ssize_t)len);
    int same = memcmp(buf, p, len) == 0;
    free(buf);
    return same;
}

static void program_file(void) {
    SECTION("the running program's file, mapped read-only");
    int fd = open("/proc/self/exe", O_RDONLY);
    REQUIRE(fd >= 0);
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    size_t size = st.st_size;
    size_t pages = (size + page - 1) / page;
    FACT("larger than a few pages", size > 16 * (size_t)page);
    char *m = mmap(NULL, (pages + 2) * page, PROT_READ, MAP_PRIVATE, fd, 0);
    REQUIRE(m != MAP_FAILED);
    FACT("ELF magic through the mapping", memcmp(m, "\177ELF", 4) == 0);
    FACT("first page equals pread", same_as_file(fd, m, 0, page));
    FACT("a middle page equals pread", same_as_file(fd, m + (pages / 2) * page, (pages / 2) * page, page));
    FACT("the last bytes equal pread", same_as_file(fd, m + size - 100, size - 100, 100));
    int zero = 1;
    for (size_t i = size; i < pages * page; i++) zero &= m[i] == 0;
    FACT("rest of the last page reads zero", zero);
    printf("touch the page past the file's end: %s\n", signame(touch(m + pages * page)));
    printf("touch the last page: %s\n", signame(touch(m + pages * page - 1)));

    char *at = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, (off_t)(pages + 4) * page);
    FACT("mmap at an offset past the end succeeds", at != MAP_FAILED);
    if (at != MAP_FAILED) {
        printf("touch it: %s\n", signame(touch(at)));
        munmap(at, page);
    }

    SECTION("writing a private copy");
    SHOW("mprotect a page writable", mprotect(m + page, page, PROT_READ | PROT_WRITE));
    char before = m[page + 10];
    m[page + 10] = (char)~before;
    FACT("the mapping took the write", m[page + 10] == (char)~before);
    char *again = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, fd, 0);
    REQUIRE(again != MAP_FAILED);
    FACT("another mapping still reads the file", again[page + 10] == before);
    FACT("pread still reads the file", same_as_file(fd, again, 0, 2 * page));
    FACT("the pages around are unchanged", same_as_file(fd, m, 0, page) && same_as_file(fd, m + 2 * page, 2 * page, page));
    pid_t child = fork_flushed();
    if (child == 0) {
        printf("child sees the private write: %s\n", m[page + 10] == (char)~before ? "yes" : "no");
        m[page + 11] = 'c';
        printf("child reads the file elsewhere: %s\n", same_as_file(fd, m + 3 * page, 3 * page, page) ? "yes" : "no");
        flush_all();
        _exit(0);
    }
    await_child(child);
    FACT("the child's write stayed in the child", m[page + 11] == again[page + 11]);
    SHOW("madvise DONTNEED the written page", madvise(m + page, page, MADV_DONTNEED));
    FACT("it reads the file again", m[page + 10] == before && same_as_file(fd, m + page, page, page));

    SECTION("sharing and moving");
    SHOW("MAP_SHARED read-only of an O_RDONLY file", (long)mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0) == -1 ? -1 : 0);
    SHOW("MAP_SHARED writable of an O_RDONLY file", (long)mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == -1 ? -1 : 0);
    char *room = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(room != MAP_FAILED);
    char *moved = mremap(again, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, room);
    FACT("mremap moved it", moved == room);
    if (moved != MAP_FAILED) FACT("the moved mapping reads the file", same_as_file(fd, moved, 0, 2 * page));
    SHOW("msync", msync(m, page, MS_SYNC));
    REQUIRE(munmap(m, (pages + 2) * page) == 0);
    if (moved != MAP_FAILED) munmap(moved, 2 * page);
    close(fd);
}

static void written_file(void) {
    SECTION("a file the program writes");
    enter_scratch_dir();
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    size_t size = 3 * page + 100;
    char *content = malloc(size);
    REQUIRE(content != NULL);
    for (size_t i = 0; i < size; i++) content[i] = (char)('a' + i % 26);
    REQUIRE(write(fd, content, size) == (ssize_t)size);
    char *shared = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *priv = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    REQUIRE(shared != MAP_FAILED && priv != MAP_FAILED);
    FACT("both read the file", memcmp(shared, content, size) == 0 && memcmp(priv, content, size) == 0);
    shared[5] = 'X';
    char c;
    REQUIRE(pread(fd, &c, 1, 5) == 1);
    FACT("a write through the shared mapping reaches read()", c == 'X');
    FACT("the unwritten private page shows it too", priv[5] == 'X');
    REQUIRE(pwrite(fd, "Y", 1, page + 7) == 1);
    FACT("pwrite reaches the shared mapping", shared[page + 7] == 'Y');
    FACT("and the unwritten private page", priv[page + 7] == 'Y');
    priv[2 * page] = 'P';
    REQUIRE(pwrite(fd, "Z", 1, 2 * page + 1) == 1);
    FACT("a written private page no longer follows the file", priv[2 * page + 1] == content[2 * page + 1]);
    REQUIRE(pread(fd, &c, 1, 2 * page) == 1);
    FACT("the private write never reached the file", c == content[2 * page]);
    /* Linux also makes the mappings fault past the new end (SIGBUS) until the file grows back;
     * jVisor does not (runtime-sentry README, known limits), so that is not checked here. */
    SHOW("ftruncate to one page", ftruncate(fd, page));
    SHOW("ftruncate back", ftruncate(fd, size));
    FACT("the shared mapping reads zeros where the file was cut", shared[page + 7] == 0);
    munmap(shared, 4 * page);
    munmap(priv, 4 * page);
    close(fd);
    free(content);
    REQUIRE(unlink("data") == 0);
    leave_scratch_dir();
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    struct sigaction sa = {0};
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    program_file();
    written_file();
    return 0;
}
