/*
 * Miscellaneous process state: uname, getrandom, clocks and sleeping, resource limits, umask,
 * working directory, credentials and sysinfo. Values that differ between hosts (release
 * string, uptime, memory size) are reduced to facts about their shape.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>

static long long ns_between(struct timespec a, struct timespec b) {
    return (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
}

static void identity(void) {
    SECTION("uname");
    struct utsname u;
    SHOW("uname", uname(&u));
    printf("  sysname %s, machine %s\n", u.sysname, u.machine);
    FACT("  release present", u.release[0] != 0);
    FACT("  version present", u.version[0] != 0);
    FACT("  nodename present", u.nodename[0] != 0);
    SHOW("uname bad pointer", uname(BAD_POINTER));
}

static void randomness(void) {
    SECTION("getrandom");
    unsigned char a[64] = {0}, b[64] = {0};
    VALUE("getrandom 64", getrandom(a, sizeof a, 0));
    VALUE("getrandom 64 GRND_NONBLOCK", getrandom(b, sizeof b, GRND_NONBLOCK));
    FACT("two draws differ", memcmp(a, b, sizeof a) != 0);
    VALUE("getrandom 0", getrandom(a, 0, 0));
    static unsigned char big[1 << 20];
    VALUE("getrandom 1 MiB returns at most 32 MiB, at least 256", getrandom(big, sizeof big, 0) >= 256 ? 1 : 0);
    SHOW("getrandom bad flags", getrandom(a, 1, 0x100));
    SHOW("getrandom bad buffer", getrandom(BAD_POINTER, 16, 0));
}

static void clocks(void) {
    SECTION("clocks and sleeping");
    struct timespec a, b, res;
    clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, CLOCK_MONOTONIC_RAW};
    const char *names[] = {"REALTIME", "MONOTONIC", "BOOTTIME", "PROCESS_CPUTIME_ID", "MONOTONIC_RAW"};
    for (int i = 0; i < 5; i++) {
        int ok = clock_gettime(ids[i], &a) == 0 && clock_getres(ids[i], &res) == 0;
        printf("clock %s: %s, resolution <= 1ms %s\n", names[i], ok ? "ok" : errno_name(errno),
               ok && res.tv_sec == 0 && res.tv_nsec <= 1000000 ? "yes" : "no");
    }
    SHOW("clock_gettime bad clock", clock_gettime(12345, &a));
    SHOW("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_POINTER));
    int monotonic = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ns_between(a, b) < 0) monotonic = 0;
        a = b;
    }
    FACT("CLOCK_MONOTONIC never went back in 10000 reads", monotonic);
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &a);
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    FACT("gettimeofday and time agree with CLOCK_REALTIME within 2s", labs(tv.tv_sec - a.tv_sec) <= 2 && labs(t - a.tv_sec) <= 2);
    FACT("realtime is after 2020", a.tv_sec > 1577836800);

    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 50 * 1000 * 1000};
    SHOW("nanosleep 50ms", nanosleep(&d, NULL));
    clock_gettime(CLOCK_MONOTONIC, &b);
    FACT("  slept at least 50ms", ns_between(a, b) >= 50 * 1000 * 1000);
    FACT("  and less than 5s", ns_between(a, b) < 5000000000LL);
    struct timespec bad = {0, 1000000000};
    SHOW("nanosleep bad nsec", nanosleep(&bad, NULL));
    struct timespec neg = {-1, 0};
    SHOW("nanosleep negative", nanosleep(&neg, NULL));
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec until = {a.tv_sec, a.tv_nsec + 30 * 1000 * 1000};
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("clock_nanosleep TIMER_ABSTIME: %s, reached the deadline %s\n", rc == 0 ? "ok" : errno_name(rc),
           ns_between(until, b) >= 0 ? "yes" : "no");
    struct timespec past = {0, 0};
    VALUE("clock_nanosleep to an absolute time in the past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
}

static void limits(void) {
    SECTION("getrlimit and prlimit64");
    struct rlimit r;
    SHOW("getrlimit RLIMIT_NOFILE", getrlimit(RLIMIT_NOFILE, &r));
    FACT("  soft <= hard", r.rlim_cur <= r.rlim_max);
    struct rlimit lower = {64, r.rlim_max};
    SHOW("setrlimit NOFILE soft 64", setrlimit(RLIMIT_NOFILE, &lower));
    VALUE("dup2 onto fd 63 with soft limit 64", dup2(0, 63));
    SHOW("dup2 onto fd 64 with soft limit 64", dup2(0, 64));
    SHOW("open beyond the limit", ({ int last = 0; for (int i = 0; i < 70 && last >= 0; i++) last = open("/", O_RDONLY); last; }));
    for (int i = 3; i < 64; i++) close(i);
    struct rlimit now;
    SHOW("prlimit64 read", prlimit(0, RLIMIT_NOFILE, NULL, &now));
    VALUE("  soft", now.rlim_cur);
    struct rlimit inverted = {100, 10};
    SHOW("setrlimit soft > hard", setrlimit(RLIMIT_NOFILE, &inverted));
    SHOW("getrlimit bad resource", getrlimit(1000, &r));
    SHOW("prlimit64 nonexistent pid", prlimit(0x3ffffff, RLIMIT_NOFILE, NULL, &now));
    struct rlimit stack;
    getrlimit(RLIMIT_STACK, &stack);
    FACT("RLIMIT_STACK soft is set", stack.rlim_cur > 0);
    setrlimit(RLIMIT_NOFILE, &r);
}

static void files_and_dirs(void) {
    SECTION("umask, getcwd, chdir");
    mode_t old = umask(027);
    printf("umask returns the previous mask: %03o\n", old);
    int fd = open("masked", O_CREAT | O_WRONLY, 0777);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    printf("  file created 0777 under umask 027: %o\n", st.st_mode & 0777);
    unlink("masked");
    umask(022);

    char cwd[PATH_MAX], again[PATH_MAX];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    SHOW("mkdir a/b", mkdir("a", 0755) == 0 && mkdir("a/b", 0755) == 0 ? 0 : -1);
    SHOW("chdir a/b", chdir("a/b"));
    getcwd(again, sizeof again);
    FACT("  getcwd ends with /a/b", strlen(again) > 4 && strcmp(again + strlen(again) - 4, "/a/b") == 0);
    SHOW("chdir ../..", chdir("../.."));
    getcwd(again, sizeof again);
    FACT("  back where we started", strcmp(cwd, again) == 0);
    SHOW("getcwd into 1 byte", getcwd(again, 1) == NULL ? -1 : 0);
    SHOW("chdir missing", chdir("missing"));
    fd = open("file", O_CREAT | O_WRONLY, 0644);
    close(fd);
    SHOW("chdir into a file", chdir("file"));
    int dirfd = open("a", O_RDONLY | O_DIRECTORY);
    SHOW("fchdir", fchdir(dirfd));
    getcwd(again, sizeof again);
    FACT("  getcwd ends with /a", strcmp(again + strlen(again) - 2, "/a") == 0);
    chdir("..");
    close(dirfd);
    rmdir("a/b");
    rmdir("a");
    unlink("file");
}

static void credentials(void) {
    SECTION("credentials");
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    printf("uid %d euid %d, real/effective/saved agree %s\n", getuid(), geteuid(), r == e && e == s ? "yes" : "no");
    gid_t gr, ge, gs;
    getresgid(&gr, &ge, &gs);
    printf("gid %d egid %d, real/effective/saved agree %s\n", getgid(), getegid(), gr == ge && ge == gs ? "yes" : "no");
    int n = getgroups(0, NULL);
    FACT("getgroups count is not negative", n >= 0);
    gid_t tiny[1];
    SHOW("getgroups negative size", syscall(SYS_getgroups, -1, tiny));
}

static void system_info(void) {
    SECTION("sysinfo");
    struct sysinfo si;
    SHOW("sysinfo", sysinfo(&si));
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    FACT("  uptime agrees with CLOCK_BOOTTIME within 2s", labs(si.uptime - boot.tv_sec) <= 2);
    FACT("  total ram >= free ram > 0", si.totalram >= si.freeram && si.freeram > 0);
    FACT("  at least one process", si.procs >= 1);
    FACT("  mem_unit set", si.mem_unit >= 1);
    SHOW("sysinfo bad pointer", sysinfo(BAD_POINTER));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    FACT("online CPUs >= 1", cpus >= 1);
}

int main(void) {
    umask(022);
    enter_scratch_dir();
    identity();
    randomness();
    clocks();
    limits();
    files_and_dirs();
    credentials();
    system_info();
    leave_scratch_dir();
    return 0;
}
