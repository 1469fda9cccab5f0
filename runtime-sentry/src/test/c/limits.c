/*
 * Resource limits that the kernel enforces, not only stores: RLIMIT_FSIZE on write, truncate and
 * the signal it raises, RLIMIT_AS and RLIMIT_DATA on mmap and brk, RLIMIT_MEMLOCK on mlock,
 * raising and lowering limits without privilege, and limits across fork.
 */
#include "behaviour.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig) {
    (void)sig;
    xfsz++;
}

static void file_size(void) {
    SECTION("RLIMIT_FSIZE");
    enter_scratch_dir();
    struct rlimit lim = {10000, RLIM_INFINITY};
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    signal(SIGXFSZ, on_xfsz);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    VALUE("write up to the limit", write(fd, buf, 4096) + write(fd, buf, 4096));
    VALUE("a write across the limit is short", write(fd, buf, 4096));
    xfsz = 0;
    SHOW("a write at the limit", write(fd, buf, 1));
    VALUE("  SIGXFSZ raised", xfsz);
    SHOW("pwrite past the limit", pwrite(fd, buf, 1, 20000));
    SHOW("ftruncate past the limit", ftruncate(fd, 20000));
    SHOW("ftruncate below it", ftruncate(fd, 5000));
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    VALUE("size", st.st_size);
    signal(SIGXFSZ, SIG_IGN);
    xfsz = 0;
    SHOW("lseek past it and write, SIGXFSZ ignored", (lseek(fd, 10000, SEEK_SET), write(fd, buf, 1)));
    pid_t child = fork_flushed();
    if (child == 0) {
        signal(SIGXFSZ, SIG_DFL);
        (void)!pwrite(fd, buf, 1, 10000);
        _exit(0);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    printf("default action kills with: %s\n", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "nothing");
    close(fd);
    REQUIRE(unlink("f") == 0);
    lim.rlim_cur = RLIM_INFINITY;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    leave_scratch_dir();
}

/* This and the two below run in a child (in_child): the limits and ids they change stay there. */
static void address_space(void) {
    SECTION("RLIMIT_AS and RLIMIT_DATA");
    struct rlimit lim = {1ul << 30, RLIM_INFINITY};
    REQUIRE(setrlimit(RLIMIT_AS, &lim) == 0);
    void *big = mmap(NULL, 2ul << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 2 GiB under a 1 GiB RLIMIT_AS: %s\n", big == MAP_FAILED ? errno_name(errno) : "ok");
    void *small = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 1 MiB: %s\n", small == MAP_FAILED ? errno_name(errno) : "ok");
    lim.rlim_cur = RLIM_INFINITY;
    REQUIRE(setrlimit(RLIMIT_AS, &lim) == 0);

    struct rlimit data = {8ul << 20, RLIM_INFINITY};
    REQUIRE(setrlimit(RLIMIT_DATA, &data) == 0);
    void *start = sbrk(0);
    printf("brk 64 MiB past the start under an 8 MiB RLIMIT_DATA: %s\n",
           brk((char *)start + (64 << 20)) == 0 ? "ok" : errno_name(errno));
    void *priv = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("private writable mmap of 64 MiB: %s\n", priv == MAP_FAILED ? errno_name(errno) : "ok");
    void *ro = mmap(NULL, 64 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("read-only mmap of 64 MiB: %s\n", ro == MAP_FAILED ? errno_name(errno) : "ok");
    void *shared = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("shared mmap of 64 MiB: %s\n", shared == MAP_FAILED ? errno_name(errno) : "ok");
}

static void memlock(void) {
    SECTION("RLIMIT_MEMLOCK");
    struct rlimit lim = {8192, 8192};
    REQUIRE(setrlimit(RLIMIT_MEMLOCK, &lim) == 0);
    char *p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    /* As root the answers depend on the capabilities the environment grants (CAP_IPC_LOCK). */
    REQUIRE(setgid(65534) == 0 && setuid(65534) == 0);
    printf("mlock within the limit unprivileged: %s\n", mlock(p, 4096) == 0 ? "ok" : errno_name(errno));
    printf("mlock past it unprivileged: %s\n", mlock(p, 16 * 4096) == 0 ? "ok" : errno_name(errno));
}

static void show_inherited(void) {
    struct rlimit got;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &got) == 0);
    printf("a child inherits: %ld/%ld\n", (long)got.rlim_cur, (long)got.rlim_max);
}

static void raising(void) {
    SECTION("lowering and raising");
    struct rlimit lim = {100, 200};
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lim) == 0);
    struct rlimit up = {100, 300};
    /* Whether root may raise it depends on CAP_SYS_RESOURCE in the environment: not checked. */
    REQUIRE(setgid(65534) == 0 && setuid(65534) == 0);
    printf("unprivileged raises a hard limit: %s\n", setrlimit(RLIMIT_NOFILE, &up) == 0 ? "ok" : errno_name(errno));
    struct rlimit soft = {200, 200};
    printf("unprivileged raises the soft limit to the hard: %s\n", setrlimit(RLIMIT_NOFILE, &soft) == 0 ? "ok" : errno_name(errno));
    struct rlimit down = {50, 50};
    printf("unprivileged lowers both: %s\n", setrlimit(RLIMIT_NOFILE, &down) == 0 ? "ok" : errno_name(errno));
    printf("and cannot go back: %s\n", setrlimit(RLIMIT_NOFILE, &soft) == 0 ? "ok" : errno_name(errno));
    in_child(show_inherited);
}

int main(void) {
    file_size();
    in_child(address_space);
    in_child(memlock);
    in_child(raising);
    return 0;
}
