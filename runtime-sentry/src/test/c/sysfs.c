/*
 * The files libcs and runtimes read to learn about their machine and themselves:
 * /sys/devices/system/cpu (online, possible, present, cpuN), transparent huge pages,
 * /proc/self/auxv against getauxval(3), the /proc/self/status fields runtimes parse,
 * /proc/filesystems and /proc/mounts. Counts are compared with what the program sees through
 * other calls, never printed, so the transcript is the same on any machine.
 */
#include "behaviour.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/stat.h>

static char text[65536];

/* Reads a whole file into text; returns its length or -1. */
static long slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long n = 0, r;
    while (n < (long)sizeof text - 1 && (r = read(fd, text + n, sizeof text - 1 - n)) > 0) n += r;
    close(fd);
    text[n] = 0;
    return n;
}

/* Number of CPUs in a list such as "0-3,5\n". */
static int list_count(const char *s, int *first) {
    int count = 0;
    *first = -1;
    while (*s && *s != '\n') {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s) return -1;
        if (*first < 0) *first = (int)a;
        if (*end == '-') b = strtol(end + 1, &end, 10);
        count += (int)(b - a + 1);
        s = *end == ',' ? end + 1 : end;
    }
    return count;
}

static void cpus(void) {
    SECTION("/sys/devices/system/cpu");
    cpu_set_t set;
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
    const char *lists[] = {"online", "possible", "present"};
    int online = 0;
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/%s", lists[i]);
        int first = -1, n = slurp(path) > 0 ? list_count(text, &first) : -1;
        printf("%s: readable %s, starts at cpu0 %s, at least the CPUs we may use %s\n", lists[i], n > 0 ? "yes" : "no",
               first == 0 ? "yes" : "no", n >= CPU_COUNT(&set) ? "yes" : "no");
        if (i == 0) online = n;
    }
    FACT("online agrees with sysconf(_SC_NPROCESSORS_ONLN)", online == sysconf(_SC_NPROCESSORS_ONLN));
    DIR *d = opendir("/sys/devices/system/cpu");
    int dirs = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        int k;
        char rest;
        if (sscanf(e->d_name, "cpu%d%c", &k, &rest) == 1) dirs++;
    }
    if (d) closedir(d);
    FACT("one cpuN directory per possible CPU", dirs >= online && dirs > 0);
    struct stat st;
    FACT("cpu0 is a directory", stat("/sys/devices/system/cpu/cpu0", &st) == 0 && S_ISDIR(st.st_mode));
    SHOW("write to online", ({ int fd = open("/sys/devices/system/cpu/online", O_WRONLY); if (fd >= 0) close(fd); fd; }));
}

static void huge_pages(void) {
    SECTION("/sys/kernel/mm/transparent_hugepage");
    long n = slurp("/sys/kernel/mm/transparent_hugepage/enabled");
    char *open_bracket = strchr(text, '['), *close_bracket = strchr(text, ']');
    FACT("enabled names one mode in brackets", n > 0 && open_bracket && close_bracket && open_bracket < close_bracket
         && strchr(open_bracket + 1, '[') == NULL);
    FACT("  and offers always, madvise and never", strstr(text, "always") && strstr(text, "madvise") && strstr(text, "never"));
}

static void auxv(void) {
    SECTION("/proc/self/auxv");
    long n = slurp("/proc/self/auxv");
    FACT("whole (type, value) pairs", n > 0 && n % 16 == 0);
    Elf64_auxv_t *a = (Elf64_auxv_t *)text;
    int count = (int)(n / 16), ends_with_null = count > 0 && a[count - 1].a_type == AT_NULL;
    FACT("ends with AT_NULL", ends_with_null);
    unsigned long types[] = {AT_PAGESZ, AT_ENTRY, AT_PHDR, AT_PHNUM, AT_UID, AT_EUID, AT_RANDOM, AT_EGID, AT_CLKTCK};
    const char *names[] = {"AT_PAGESZ", "AT_ENTRY", "AT_PHDR", "AT_PHNUM", "AT_UID", "AT_EUID", "AT_RANDOM", "AT_EGID", "AT_CLKTCK"};
    for (int t = 0; t < 9; t++) {
        int found = 0, same = 0;
        for (int i = 0; i < count; i++) {
            if (a[i].a_type == types[t]) {
                found = 1;
                same = a[i].a_un.a_val == getauxval(types[t]);
            }
        }
        printf("%s: present %s, equals getauxval %s\n", names[t], found ? "yes" : "no", same ? "yes" : "no");
    }
}

static const char *field(const char *name) {
    static char value[256];
    size_t len = strlen(name);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            while (*v == '\t' || *v == ' ') v++;
            size_t k = strcspn(v, "\n");
            if (k >= sizeof value) k = sizeof value - 1;
            memcpy(value, v, k);
            value[k] = 0;
            return value;
        }
    }
    return NULL;
}

static void status(void) {
    SECTION("/proc/self/status");
    mode_t old = umask(027);
    REQUIRE(slurp("/proc/self/status") > 0);
    umask(old);
    const char *names[] = {"Name", "Umask", "State", "Tgid", "Pid", "PPid", "TracerPid", "Uid", "Gid", "FDSize",
                           "Groups", "NStgid", "NSpid", "VmPeak", "VmSize", "VmHWM", "VmRSS", "VmData", "VmStk",
                           "VmExe", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh",
                           "CapPrm", "CapEff", "CapBnd", "NoNewPrivs", "Seccomp", "Cpus_allowed", "Cpus_allowed_list",
                           "Mems_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"};
    int missing = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!field(names[i])) {
            printf("missing field %s\n", names[i]);
            missing++;
        }
    }
    VALUE("missing fields", missing);
    const char *u = field("Umask");
    printf("Umask: %s\n", u ? u : "?");
    const char *pid = field("Pid");
    FACT("Pid is getpid()", pid && atoi(pid) == getpid());
    const char *rss = field("VmRSS"), *size = field("VmSize");
    FACT("VmRSS is in kB, positive, at most VmSize", rss && size && strstr(rss, " kB") && atol(rss) > 0 && atol(rss) <= atol(size));
    const char *threads = field("Threads");
    FACT("Threads: 1", threads && atoi(threads) == 1);
    const char *list = field("Cpus_allowed_list");
    int first = -1;
    cpu_set_t set;
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
    FACT("Cpus_allowed_list counts the affinity mask", list && list_count(list, &first) == CPU_COUNT(&set));
}

static void mounts_and_filesystems(void) {
    SECTION("/proc/filesystems and /proc/mounts");
    REQUIRE(slurp("/proc/filesystems") > 0);
    FACT("filesystems lists proc as nodev", strstr(text, "nodev\tproc\n") != NULL);
    FACT("  and sysfs, tmpfs", strstr(text, "nodev\tsysfs\n") && strstr(text, "nodev\ttmpfs\n"));
    REQUIRE(slurp("/proc/mounts") > 0);
    int lines = 0, well_formed = 0, proc_at_proc = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char dev[256], dir[256], type[64], opts[512];
        int freq, pass;
        lines++;
        if (sscanf(line, "%255s %255s %63s %511s %d %d", dev, dir, type, opts, &freq, &pass) == 6) well_formed++;
        if (strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0) proc_at_proc = 1;
    }
    FACT("every line has six fields", lines > 0 && lines == well_formed);
    FACT("proc is mounted at /proc", proc_at_proc);
    long self = slurp("/proc/self/mounts");
    FACT("/proc/self/mounts reads the same kind of table", self > 0 && strstr(text, " proc ") != NULL);
}

int main(void) {
    cpus();
    huge_pages();
    auxv();
    status();
    mounts_and_filesystems();
    return 0;
}
