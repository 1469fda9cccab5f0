/*
 * Privilege: the five capability sets (capget/capset, prctl bounding, ambient, keepcaps,
 * securebits, no_new_privs), the checks that ask for a capability rather than for uid 0, the
 * set*id and execve transitions of the sets (a set-user-ID copy of this program included),
 * supplementary groups in permission checks, and resource limits enforced (RLIMIT_NOFILE,
 * RLIMIT_FSIZE, RLIMIT_NPROC) or kept across execve. Runs as root; each experiment runs in a
 * child so the program keeps its privilege. Capability masks are printed restricted to the
 * capabilities the program plays with, so the host's bounding set does not show.
 * The program re-executes a copy of itself with the role "report" to show what exec left.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/fsuid.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* The capabilities the program drops, raises and reports. */
#define PLAYED ((1u << CAP_CHOWN) | (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_KILL) | \
                (1u << CAP_SETGID) | (1u << CAP_SETUID) | (1u << CAP_SETPCAP) | (1u << CAP_NET_BIND_SERVICE) | \
                (1u << CAP_SYS_CHROOT) | (1u << CAP_FOWNER))
#define BIT(c) (1u << (c))

static const char *copy_path = "self-copy";
static const char *suid_path = "suid-copy";

struct caps { unsigned eff, prm, inh; };

static struct caps get_caps(void) {
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    REQUIRE(syscall(SYS_capget, &h, d) == 0);
    return (struct caps){d[0].effective, d[0].permitted, d[0].inheritable};
}

static long set_caps(unsigned eff, unsigned prm, unsigned inh) {
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2] = {{eff, prm, inh}, {0, 0, 0}};
    /* Keep the upper word as it is: the program only plays with the lower 32 capabilities. */
    struct __user_cap_data_struct cur[2];
    REQUIRE(syscall(SYS_capget, &h, cur) == 0);
    d[1] = cur[1];
    return syscall(SYS_capset, &h, d);
}

static unsigned ambient_mask(void) {
    unsigned m = 0;
    for (int c = 0; c < 32; c++)
        if ((PLAYED & BIT(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1) m |= BIT(c);
    return m;
}

static unsigned bounding_mask(void) {
    unsigned m = 0;
    for (int c = 0; c < 32; c++)
        if ((PLAYED & BIT(c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1) m |= BIT(c);
    return m;
}

static void print_caps(const char *label) {
    struct caps c = get_caps();
    printf("  %s: eff %#x prm %#x inh %#x amb %#x bnd %#x\n", label, c.eff & PLAYED, c.prm & PLAYED,
           c.inh & PLAYED, ambient_mask(), bounding_mask());
}

/* The value of a /proc/self/status line, without its name. */
static void status_line(const char *name, char *out, size_t size) {
    FILE *f = fopen("/proc/self/status", "r");
    REQUIRE(f != NULL);
    char line[512];
    out[0] = 0;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            snprintf(out, size, "%s", line + n + 1);
            out[strcspn(out, "\n")] = 0;
        }
    }
    fclose(f);
}

static int report(void) {
    uid_t r, e, s;
    REQUIRE(getresuid(&r, &e, &s) == 0);
    printf("  exec'd: uid %d/%d/%d keepcaps %d nnp %d\n", r, e, s, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0),
           prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    printf("  exec'd: auxv uid %lu euid %lu secure %lu\n", getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_SECURE));
    print_caps("exec'd caps");
    struct rlimit rl;
    REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
    printf("  exec'd: stack soft limit %ld MiB\n", (long)(rl.rlim_cur >> 20));
    flush_all();
    return 0;
}

static void run_report(const char *path) {
    flush_all();
    execl(path, path, "report", (char *)NULL);
    printf("  execve %s: %s\n", path, errno_name(errno));
    flush_all();
    _exit(1);
}

/* A process of another user that waits to be killed; returns once it has become that user. */
static pid_t spawn_other(uid_t uid) {
    int p[2];
    REQUIRE(pipe(p) == 0);
    pid_t other = fork_flushed();
    if (other == 0) {
        close(p[0]);
        if (setresuid(uid, uid, uid) != 0) _exit(1);
        REQUIRE(write(p[1], "u", 1) == 1);
        for (;;) pause();
    }
    close(p[1]);
    char c;
    REQUIRE(read(p[0], &c, 1) == 1 && close(p[0]) == 0);
    return other;
}

static void sets_at_start(void) {
    SECTION("sets at start");
    struct caps c = get_caps();
    FACT("effective equals permitted", c.eff == c.prm);
    FACT("inheritable empty", c.inh == 0);
    print_caps("root");
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_1, .pid = 0};
    struct __user_cap_data_struct d[2];
    SHOW("capget v1", syscall(SYS_capget, &h, d));
    FACT("  v1 word equals v3's", d[0].effective == c.eff && d[0].permitted == c.prm);
    h.version = 0x12345678;
    SHOW("capget unknown version without data", syscall(SYS_capget, &h, NULL));
    printf("  preferred version %#x\n", h.version);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = -1;
    SHOW("capget pid -1", syscall(SYS_capget, &h, d));
    h.pid = 0x3ffffff0;
    SHOW("capget missing pid", syscall(SYS_capget, &h, d));
    h.pid = getpid();
    SHOW("capget own pid", syscall(SYS_capget, &h, d));
    VALUE("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    VALUE("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    VALUE("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    VALUE("PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0));
    SHOW("PR_CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));
    SHOW("PR_CAP_AMBIENT_IS_SET 64", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 64, 0, 0));
    SHOW("PR_CAP_AMBIENT unknown operation", prctl(PR_CAP_AMBIENT, 99, CAP_CHOWN, 0, 0));
    SHOW("PR_GET_NO_NEW_PRIVS with an argument", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
    SHOW("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
    char v[256];
    status_line("NoNewPrivs", v, sizeof v);
    printf("status NoNewPrivs:%s\n", v);
    status_line("CapAmb", v, sizeof v);
    printf("status CapAmb:%s\n", v);
    char eff[64];
    status_line("CapEff", eff, sizeof eff);
    char prm[64];
    status_line("CapPrm", prm, sizeof prm);
    FACT("status CapEff equals CapPrm", strcmp(eff, prm) == 0);
    FACT("status CapEff low word matches capget", strtoull(eff, NULL, 16) % (1ull << 32) == c.eff);
}

static void capset_rules(void) {
    struct caps c = get_caps();
    int fd = open("secret", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    REQUIRE(fd >= 0 && close(fd) == 0 && chown("secret", 4321, 4321) == 0);
    unsigned dac = BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH);
    SHOW("drop DAC from effective", set_caps(c.eff & ~dac, c.prm, c.inh));
    SHOW("  open another user's 0600 file", open("secret", O_RDONLY));
    SHOW("raise them back from permitted", set_caps(c.eff, c.prm, c.inh));
    SHOW("  open another user's 0600 file", open("secret", O_RDONLY));
    SHOW("drop DAC from permitted", set_caps(c.eff & ~dac, c.prm & ~dac, c.inh));
    SHOW("  raise effective beyond permitted", set_caps(c.eff, c.prm & ~dac, c.inh));
    SHOW("  raise permitted again", set_caps(c.eff & ~dac, c.prm, c.inh));
    SHOW("  inheritable beyond permitted with CAP_SETPCAP", set_caps(c.eff & ~dac, c.prm & ~dac, BIT(CAP_DAC_OVERRIDE)));
    unsigned nopcap = c.eff & ~dac & ~BIT(CAP_SETPCAP);
    SHOW("  drop CAP_SETPCAP from effective", set_caps(nopcap, c.prm & ~dac, 0));
    SHOW("  inheritable beyond permitted without it", set_caps(nopcap, c.prm & ~dac, BIT(CAP_DAC_OVERRIDE)));
    SHOW("  inheritable within permitted", set_caps(nopcap, c.prm & ~dac, BIT(CAP_CHOWN)));
    SHOW("  PR_CAPBSET_DROP without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0));
    SHOW("  PR_SET_SECUREBITS without CAP_SETPCAP", prctl(PR_SET_SECUREBITS, 1 << 4, 0, 0, 0));
    print_caps("after");
    REQUIRE(unlink("secret") == 0);
}

/* Each check with and without the one capability it needs, as root. */
static void capability_checks(void) {
    struct caps c = get_caps();
    int fd = open("theirs", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    REQUIRE(fd >= 0 && close(fd) == 0 && chown("theirs", 4321, 4321) == 0);
    struct { int cap; const char *name; } checks[] = {
        {CAP_CHOWN, "CAP_CHOWN"}, {CAP_FOWNER, "CAP_FOWNER"}, {CAP_SETGID, "CAP_SETGID"},
        {CAP_SYS_CHROOT, "CAP_SYS_CHROOT"}, {CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE"}, {CAP_KILL, "CAP_KILL"},
    };
    pid_t other = spawn_other(4321); /* for kill(2) */
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        for (int with = 0; with <= 1; with++) {
            REQUIRE(set_caps(with ? c.eff : c.eff & ~BIT(checks[i].cap), c.prm, c.inh) == 0);
            char label[96];
            snprintf(label, sizeof label, "%s %s", with ? "with" : "without", checks[i].name);
            switch (checks[i].cap) {
            case CAP_CHOWN: SHOW(label, chown("theirs", 4321, 4322)); break;
            case CAP_FOWNER: SHOW(label, chmod("theirs", 0640)); break;
            case CAP_SETGID: SHOW(label, setgroups(0, NULL)); break;
            case CAP_SYS_CHROOT: SHOW(label, chroot(".")); break;
            case CAP_KILL: SHOW(label, kill(other, 0)); break;
            case CAP_NET_BIND_SERVICE: {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                REQUIRE(s >= 0);
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1009), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                SHOW(label, bind(s, (struct sockaddr *)&a, sizeof a));
                close(s);
                break;
            }
            }
        }
    }
    REQUIRE(set_caps(c.eff & ~BIT(CAP_SETUID), c.prm, c.inh) == 0);
    SHOW("without CAP_SETUID setuid to another user", setuid(4321));
    SHOW("without CAP_SETUID setresuid to another user", setresuid(-1, 4321, -1));
    REQUIRE(kill(other, SIGKILL) == 0 && waitpid(other, NULL, 0) == other);
    REQUIRE(unlink("theirs") == 0);
}

static void uid_changes(void) {
    print_caps("root");
    SHOW("seteuid 4321", seteuid(4321));
    print_caps("euid 4321");
    SHOW("seteuid 0", seteuid(0));
    print_caps("euid 0 again");
    setfsuid(4321);
    print_caps("fsuid 4321");
    setfsuid(0);
    print_caps("fsuid 0 again");
    SHOW("setresuid 4321 without keepcaps", setresuid(4321, 4321, 4321));
    print_caps("uid 4321");
    SHOW("setuid 0", setuid(0));
}

static void keepcaps(void) {
    SHOW("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    SHOW("setresuid 4321", setresuid(4321, 4321, 4321));
    print_caps("uid 4321 with keepcaps");
    struct caps c = get_caps();
    SHOW("raise effective from permitted", set_caps(c.prm, c.prm, c.inh));
    SHOW("setuid 0 with CAP_SETUID", setuid(0));
    uid_t r, e, s;
    REQUIRE(getresuid(&r, &e, &s) == 0);
    printf("  uid %d/%d/%d\n", r, e, s);
    print_caps("root again");
}

static void securebits(void) {
    SHOW("PR_SET_SECUREBITS KEEP_CAPS", prctl(PR_SET_SECUREBITS, 1 << 4, 0, 0, 0));
    VALUE("  PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    SHOW("PR_SET_SECUREBITS KEEP_CAPS and its lock", prctl(PR_SET_SECUREBITS, (1 << 4) | (1 << 5), 0, 0, 0));
    SHOW("  PR_SET_KEEPCAPS 0 when locked", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
    SHOW("  unlock", prctl(PR_SET_SECUREBITS, 1 << 4, 0, 0, 0));
    SHOW("  unknown bits", prctl(PR_SET_SECUREBITS, (1 << 4) | (1 << 5) | (1 << 12), 0, 0, 0));
    VALUE("  PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
}

static void exec_as_root(void) {
    SHOW("PR_CAPBSET_DROP CAP_SYS_CHROOT", prctl(PR_CAPBSET_DROP, CAP_SYS_CHROOT, 0, 0, 0));
    VALUE("  PR_CAPBSET_READ", prctl(PR_CAPBSET_READ, CAP_SYS_CHROOT, 0, 0, 0));
    print_caps("before exec");
    SHOW("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    run_report(copy_path);
}

static void exec_ambient(void) {
    unsigned nbs = BIT(CAP_NET_BIND_SERVICE);
    SHOW("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    SHOW("setresuid 4321", setresuid(4321, 4321, 4321));
    SHOW("keep only CAP_NET_BIND_SERVICE, inheritable too", set_caps(nbs, nbs, nbs));
    SHOW("PR_CAP_AMBIENT_RAISE CAP_CHOWN (not permitted)", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0));
    SHOW("PR_CAP_AMBIENT_RAISE CAP_NET_BIND_SERVICE", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
    VALUE("  PR_CAP_AMBIENT_IS_SET", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0));
    print_caps("before exec");
    run_report(copy_path);
}

static void exec_without_ambient(void) {
    unsigned nbs = BIT(CAP_NET_BIND_SERVICE);
    SHOW("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    SHOW("setresuid 4321", setresuid(4321, 4321, 4321));
    SHOW("keep only CAP_NET_BIND_SERVICE", set_caps(nbs, nbs, nbs));
    SHOW("PR_CAP_AMBIENT_RAISE then CLEAR_ALL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0)
                                                 | prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
    run_report(copy_path);
}

static void exec_setuid(void) {
    SHOW("setresuid 4321", setresuid(4321, 4321, 4321));
    run_report(suid_path);
}

static void exec_setuid_no_new_privs(void) {
    SHOW("setresuid 4321", setresuid(4321, 4321, 4321));
    SHOW("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    run_report(suid_path);
}

static void no_new_privs(void) {
    SHOW("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    SHOW("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    VALUE("  PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    char v[64];
    status_line("NoNewPrivs", v, sizeof v);
    printf("  status NoNewPrivs:%s\n", v);
    pid_t child = fork_flushed();
    if (child == 0) {
        printf("  a child inherits it: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        flush_all();
        _exit(0);
    }
    REQUIRE(waitpid(child, NULL, 0) == child);
}

static void copy_file(const char *from, const char *to, mode_t mode) {
    int in = open(from, O_RDONLY);
    int out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0700);
    REQUIRE(in >= 0 && out >= 0);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) REQUIRE(write(out, buf, n) == n);
    REQUIRE(n == 0 && close(in) == 0 && close(out) == 0);
    REQUIRE(chmod(to, mode) == 0);
}

/* A plain copy and a set-user-ID root copy of this program, where other users may run them. */
static void make_copies(const char *self) {
    copy_file(self, copy_path, 0755);
    copy_file(self, suid_path, 04755);
    struct stat st;
    REQUIRE(stat(suid_path, &st) == 0 && (st.st_mode & 07777) == 04755 && st.st_uid == 0);
}

static void groups_in_checks(void) {
    SHOW("setgroups 30 10 20", setgroups(3, (gid_t[]){30, 10, 20}));
    gid_t list[8];
    int n = getgroups(8, list);
    printf("  getgroups:");
    for (int i = 0; i < n; i++) printf(" %d", list[i]);
    printf("\n");
    char v[256];
    status_line("Groups", v, sizeof v);
    printf("  status Groups:%s|\n", v);
    SHOW("getgroups into too small a list", getgroups(2, list));
    SHOW("setgroups beyond NGROUPS_MAX", setgroups(65537, list));
    int fd = open("group-file", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    REQUIRE(fd >= 0 && close(fd) == 0 && chown("group-file", 4321, 20) == 0 && chmod("group-file", 0060) == 0);
    fd = open("other-group-file", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    REQUIRE(fd >= 0 && close(fd) == 0 && chown("other-group-file", 4321, 99) == 0 && chmod("other-group-file", 0060) == 0);
    SHOW("setresgid 100", setresgid(100, 100, 100));
    SHOW("setresuid 4322", setresuid(4322, 4322, 4322));
    SHOW("  open a file of a supplementary group", open("group-file", O_RDONLY));
    SHOW("  open a file of another group", open("other-group-file", O_RDONLY));
    SHOW("  setgroups without CAP_SETGID", setgroups(0, NULL));
}

static void nofile(void) {
    struct rlimit rl = {16, 16};
    SHOW("setrlimit RLIMIT_NOFILE 16", setrlimit(RLIMIT_NOFILE, &rl));
    int last = -1, fd;
    while ((fd = dup(0)) >= 0) last = fd;
    printf("  dup until it fails: %s, last fd %d\n", errno_name(errno), last);
    SHOW("  dup2 onto fd 16", dup2(0, 16));
    SHOW("  F_DUPFD from 16", fcntl(0, F_DUPFD, 16));
    SHOW("  open", open("/", O_RDONLY));
    struct caps c = get_caps();
    REQUIRE(set_caps(c.eff & ~BIT(CAP_SYS_RESOURCE), c.prm & ~BIT(CAP_SYS_RESOURCE), c.inh) == 0);
    struct rlimit up = {16, 17};
    SHOW("  raise the hard limit without CAP_SYS_RESOURCE", setrlimit(RLIMIT_NOFILE, &up));
    struct rlimit down = {8, 16};
    SHOW("  lower the soft limit below open fds", setrlimit(RLIMIT_NOFILE, &down));
    SHOW("  dup", dup(0));
}

static void fsize(void) {
    struct rlimit rl = {10, 10};
    flush_all(); /* stdout is a pipe, which the limit does not apply to, but be sure */
    SHOW("setrlimit RLIMIT_FSIZE 10", setrlimit(RLIMIT_FSIZE, &rl));
    signal(SIGXFSZ, SIG_IGN);
    int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    VALUE("  write 20 bytes", write(fd, "01234567890123456789", 20));
    SHOW("  write at the limit", write(fd, "x", 1));
    VALUE("  pwrite 5 bytes at 8", pwrite(fd, "abcde", 5, 8));
    SHOW("  ftruncate to 100", ftruncate(fd, 100));
    SHOW("  ftruncate to 5", ftruncate(fd, 5));
    VALUE("  pipe writes are not limited", ({
        int p[2];
        REQUIRE(pipe(p) == 0);
        long w = write(p[1], "01234567890123456789", 20);
        close(p[0]);
        close(p[1]);
        w;
    }));
    signal(SIGXFSZ, SIG_DFL);
    pid_t child = fork_flushed();
    if (child == 0) {
        pwrite(fd, "x", 1, 10);
        _exit(0);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    printf("  a write beyond it by default: %s %d\n", WIFSIGNALED(status) ? "killed by" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    REQUIRE(close(fd) == 0 && unlink("big") == 0);
}

static void nproc(void) {
    struct rlimit rl = {2, 2};
    SHOW("setrlimit RLIMIT_NPROC 2", setrlimit(RLIMIT_NPROC, &rl));
    SHOW("setresuid 4323", setresuid(4323, 4323, 4323));
    flush_all();
    pid_t first = fork();
    if (first == 0) _exit(0);
    printf("  first fork: %s\n", first > 0 ? "ok" : errno_name(errno));
    errno = 0;
    pid_t second = fork();
    if (second == 0) _exit(0);
    printf("  second fork while the first is unreaped: %s\n", second > 0 ? "ok" : errno_name(errno));
    if (first > 0) REQUIRE(waitpid(first, NULL, 0) == first);
    if (second > 0) REQUIRE(waitpid(second, NULL, 0) == second);
    pid_t third = fork();
    if (third == 0) _exit(0);
    printf("  fork once reaped: %s\n", third > 0 ? "ok" : errno_name(errno));
    if (third > 0) REQUIRE(waitpid(third, NULL, 0) == third);
}

static void root_nproc(void) {
    struct rlimit rl = {1, 1};
    SHOW("root: setrlimit RLIMIT_NPROC 1", setrlimit(RLIMIT_NPROC, &rl));
    flush_all();
    pid_t p = fork();
    if (p == 0) _exit(0);
    printf("  root forks anyway: %s\n", p > 0 ? "ok" : errno_name(errno));
    if (p > 0) REQUIRE(waitpid(p, NULL, 0) == p);
}

static void limits_of_others(void) {
    pid_t other = spawn_other(4324);
    struct rlimit rl;
    struct caps c = get_caps();
    REQUIRE(set_caps(c.eff & ~BIT(CAP_SYS_RESOURCE), c.prm, c.inh) == 0);
    SHOW("prlimit another user's process without CAP_SYS_RESOURCE", prlimit(other, RLIMIT_NOFILE, NULL, &rl));
    SHOW("prlimit its own process", prlimit(getpid(), RLIMIT_NOFILE, NULL, &rl));
    SHOW("prlimit a bad resource", prlimit(0, 99, NULL, &rl));
    REQUIRE(kill(other, SIGKILL) == 0 && waitpid(other, NULL, 0) == other);
}

static void stack_across_exec(void) {
    struct rlimit rl;
    REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
    rl.rlim_cur = 16 << 20;
    SHOW("setrlimit RLIMIT_STACK 16 MiB", setrlimit(RLIMIT_STACK, &rl));
    struct rlimit core = {0, 0};
    SHOW("setrlimit RLIMIT_CORE 0", setrlimit(RLIMIT_CORE, &core));
    run_report(copy_path);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "report") == 0) return report();
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    char self[4096];
    REQUIRE(realpath(argv[0], self) != NULL);
    enter_scratch_dir();
    /* Other users run the copies from here. */
    REQUIRE(chmod(".", 0755) == 0);
    make_copies(self);
    sets_at_start();
    SECTION("capset");
    in_child(capset_rules);
    SECTION("checks that need a capability");
    in_child(capability_checks);
    SECTION("uid changes");
    in_child(uid_changes);
    in_child(keepcaps);
    SECTION("securebits");
    in_child(securebits);
    SECTION("execve");
    in_child(exec_as_root);
    in_child(exec_ambient);
    in_child(exec_without_ambient);
    SECTION("set-user-ID and no_new_privs");
    in_child(exec_setuid);
    in_child(exec_setuid_no_new_privs);
    in_child(no_new_privs);
    SECTION("supplementary groups");
    in_child(groups_in_checks);
    SECTION("resource limits");
    in_child(nofile);
    in_child(fsize);
    in_child(nproc);
    in_child(root_nproc);
    in_child(limits_of_others);
    in_child(stack_across_exec);
    REQUIRE(unlink(copy_path) == 0 && unlink(suid_path) == 0);
    REQUIRE(unlink("group-file") == 0 && unlink("other-group-file") == 0);
    leave_scratch_dir();
    printf("done\n");
    return 0;
}
