/*
 * /proc as a program sees it: /proc/self and /proc/PID (stat, status, cmdline, exe, maps, fd),
 * and the system files meminfo, cpuinfo and mounts. Facts are checked against what the program
 * knows (its pid, parent, argv, open files), so nothing host-specific is printed.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static char text[65536];

/* Reads a whole small file into text; returns its length or -1. */
static long slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long total = 0;
    ssize_t n;
    while ((n = read(fd, text + total, sizeof text - 1 - total)) > 0) total += n;
    close(fd);
    text[total] = 0;
    return n < 0 ? -1 : total;
}

static int has_line_starting(const char *prefix) {
    size_t len = strlen(prefix);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, prefix, len) == 0) return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void self_links(void) {
    SECTION("/proc/self");
    char link[PATH_MAX] = {0}, expected[32];
    ssize_t n = readlink("/proc/self", link, sizeof link - 1);
    snprintf(expected, sizeof expected, "%d", getpid());
    FACT("/proc/self points at own pid", n > 0 && strcmp(link, expected) == 0);
    memset(link, 0, sizeof link);
    readlink("/proc/self/exe", link, sizeof link - 1);
    FACT("/proc/self/exe ends with /bin/procfs", ends_with(link, "/bin/procfs"));
    char own[64];
    snprintf(own, sizeof own, "/proc/%d/status", getpid());
    SHOW("open /proc/PID/status", ({ int fd = open(own, O_RDONLY); if (fd >= 0) close(fd); fd; }));
    SHOW("open /proc/self/nonexistent", open("/proc/self/nonexistent", O_RDONLY));
    SHOW("create a file in /proc", open("/proc/jvisor-test", O_CREAT | O_WRONLY, 0644));
}

static void self_files(int argc, char **argv) {
    SECTION("stat, status, cmdline");
    long len = slurp("/proc/self/cmdline");
    long want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    FACT("cmdline is argv joined by NULs", len == want && strcmp(text + strlen(text) + 1, argv[1]) == 0);

    REQUIRE(slurp("/proc/self/stat") > 0);
    int pid = 0, ppid = 0;
    char comm[64] = {0}, state = 0;
    int fields = sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid);
    printf("stat: %d fields parsed, pid matches %s, comm %s, state %c, ppid matches %s\n", fields,
           pid == getpid() ? "yes" : "no", comm, state, ppid == getppid() ? "yes" : "no");

    REQUIRE(slurp("/proc/self/status") > 0);
    char line[64];
    FACT("status has Name:\tprocfs", has_line_starting("Name:\tprocfs"));
    snprintf(line, sizeof line, "Pid:\t%d\n", getpid());
    FACT("status has the right Pid", strstr(text, line) != NULL);
    snprintf(line, sizeof line, "PPid:\t%d\n", getppid());
    FACT("status has the right PPid", strstr(text, line) != NULL);
    FACT("status has Uid, Gid, SigBlk", has_line_starting("Uid:") && has_line_starting("Gid:") &&
                                                 has_line_starting("SigBlk:"));
}

static void maps_and_fds(void) {
    SECTION("maps and fd");
    REQUIRE(slurp("/proc/self/maps") > 0);
    FACT("maps has [stack]", strstr(text, "[stack]") != NULL);
    FACT("maps names the program", strstr(text, "/bin/procfs\n") != NULL);
    FACT("maps lines look like 'start-end perms offset dev inode'", ({
             unsigned long s, e, off;
             char perms[5];
             sscanf(text, "%lx-%lx %4s %lx", &s, &e, perms, &off) == 4 && s < e;
         }));

    int p[2];
    REQUIRE(pipe(p) == 0);
    REQUIRE(dup2(p[0], 40) == 40);
    int f = open("/dev/null", O_RDONLY);
    REQUIRE(dup2(f, 41) == 41);
    char link[256] = {0};
    readlink("/proc/self/fd/40", link, sizeof link - 1);
    FACT("fd/40 of a pipe reads pipe:[...]", strncmp(link, "pipe:[", 6) == 0);
    memset(link, 0, sizeof link);
    readlink("/proc/self/fd/41", link, sizeof link - 1);
    printf("fd/41: %s\n", link);
    SHOW("readlink fd/42 (closed)", readlink("/proc/self/fd/42", link, sizeof link));
    close(40);
    close(41);
    close(f);
    close(p[0]);
    close(p[1]);
}

static void other_process(void) {
    SECTION("another process");
    int gate[2];
    REQUIRE(pipe(gate) == 0);
    pid_t c = fork_flushed();
    if (c == 0) {
        char b;
        close(gate[1]);
        read(gate[0], &b, 1);
        _exit(0);
    }
    close(gate[0]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", c);
    int pid = 0, ppid = 0;
    char comm[64] = {0}, state = 0;
    /* The child soon blocks in read(); until it gets there it may still show as running. */
    for (int i = 0; i < 500 && state != 'S'; i++) {
        REQUIRE(slurp(path) > 0);
        sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid);
        if (state != 'S') {
            struct timespec d = {0, 10 * 1000 * 1000};
            nanosleep(&d, NULL);
        }
    }
    printf("child stat: pid matches %s, state %c, ppid is us %s\n", pid == c ? "yes" : "no", state,
           ppid == getpid() ? "yes" : "no");
    close(gate[1]);
    REQUIRE(waitpid(c, NULL, 0) == c);
    SHOW("open /proc/PID/stat of a reaped child", open(path, O_RDONLY));
}

static void system_files(void) {
    SECTION("system files");
    FACT("meminfo has MemTotal and MemFree", slurp("/proc/meminfo") > 0 && has_line_starting("MemTotal:") &&
                                                 has_line_starting("MemFree:"));
    FACT("cpuinfo has a processor line", slurp("/proc/cpuinfo") > 0 && has_line_starting("processor"));
    FACT("mounts has a root entry", slurp("/proc/mounts") > 0 && strstr(text, " / ") != NULL);
    FACT("self/mounts agrees with mounts", ({
             static char first[65536];
             slurp("/proc/mounts");
             memcpy(first, text, sizeof first);
             slurp("/proc/self/mounts") > 0 && strcmp(first, text) == 0;
         }));
    long n = slurp("/proc/uptime");
    double up = 0, idle = 0;
    FACT("uptime has two numbers", n > 0 && sscanf(text, "%lf %lf", &up, &idle) == 2 && up >= 0);
}

int main(int argc, char **argv) {
    /* A known extra argument, so the cmdline check has something beyond argv[0]. */
    if (argc == 1) {
        execl(argv[0], argv[0], "with-an-argument", (char *)NULL);
        REQUIRE(!"re-exec with an argument");
    }
    self_links();
    self_files(argc, argv);
    maps_and_fds();
    other_process();
    system_files();
    return 0;
}
