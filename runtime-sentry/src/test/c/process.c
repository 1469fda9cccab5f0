/*
 * Processes: fork/vfork/execve chains, exit codes, wait4/waitid/WNOHANG/WNOWAIT, zombies and
 * reparenting of orphans to the reaper (init, or this program when it is a subreaper).
 *
 * The program re-executes itself (argv[0]) with a role argument to play children.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static const char *self;

/* Roles played by re-executed copies of this program. */
static int play_role(int argc, char **argv) {
    if (strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    if (strcmp(argv[1], "countdown") == 0) {
        int n = atoi(argv[2]);
        if (n == 0) return 33;
        char next[16];
        snprintf(next, sizeof next, "%d", n - 1);
        execl(self, self, "countdown", next, (char *)NULL);
        return 99;
    }
    if (strcmp(argv[1], "show-args") == 0) {
        printf("exec'd: argc %d, last arg '%s', BEHAVIOUR_VAR '%s', PATH %s\n", argc, argv[argc - 1],
               getenv("BEHAVIOUR_VAR") ? getenv("BEHAVIOUR_VAR") : "(unset)", getenv("PATH") ? "set" : "unset");
        return 0;
    }
    return 98;
}

static int status_of(pid_t child) {
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    return status;
}

static void describe(const char *what, int status) {
    if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(status)));
    else printf("%s: other status\n", what);
}

/* Called in a child whose execve returned: says why on stdout, where the transcript shows it. */
static void exec_failed(const char *what) {
    printf("  %s: execve failed: %s\n", what, errno_name(errno));
    flush_all();
    _exit(97);
}

static pid_t spawn_exit(int code) {
    pid_t c = fork_flushed();
    if (c == 0) _exit(code);
    return c;
}

static void fork_and_exit_codes(void) {
    SECTION("fork and exit codes");
    pid_t parent = getpid();
    int p[2];
    REQUIRE(pipe(p) == 0);
    pid_t c = fork_flushed();
    if (c == 0) {
        char ok = getppid() == parent && getpid() != parent ? 'y' : 'n';
        write(p[1], &ok, 1);
        _exit(0);
    }
    char ok = 0;
    read(p[0], &ok, 1);
    close(p[0]);
    close(p[1]);
    FACT("child sees parent as getppid, own distinct pid", ok == 'y');
    FACT("fork returned a distinct positive pid to the parent", c > 0 && c != parent);
    describe("child", status_of(c));

    int codes[] = {0, 1, 42, 255, 256, 257};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        char what[32];
        snprintf(what, sizeof what, "_exit(%d)", codes[i]);
        describe(what, status_of(spawn_exit(codes[i])));
    }

    c = fork_flushed();
    if (c == 0) {
        for (;;) pause();
    }
    kill(c, SIGKILL);
    describe("SIGKILLed child", status_of(c));

    flush_all();
    c = vfork();
    REQUIRE(c >= 0);
    if (c == 0) _exit(9);
    describe("vfork child", status_of(c));
}

static void exec_chains(void) {
    SECTION("execve");
    pid_t c = fork_flushed();
    if (c == 0) {
        char *argv[] = {(char *)self, "show-args", "a", "b c", NULL};
        char *envp[] = {"BEHAVIOUR_VAR=passed", NULL};
        execve(self, argv, envp);
        exec_failed("exec with argv and envp");
    }
    describe("exec with argv and envp", status_of(c));

    c = fork_flushed();
    if (c == 0) {
        execl(self, self, "countdown", "3", (char *)NULL);
        exec_failed("exec chain");
    }
    describe("exec chain of depth 3 then exit(33)", status_of(c));

    c = fork_flushed();
    if (c == 0) {
        execl(self, self, "exit", "7", (char *)NULL);
        exec_failed("exec exit 7");
    }
    describe("exec'd program exit(7)", status_of(c));

    int fd = open("script.sh", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    REQUIRE(fd >= 0);
    const char script[] = "#!/bin/sh\nexit 5\n";
    REQUIRE(write(fd, script, sizeof script - 1) == (ssize_t)(sizeof script - 1));
    close(fd);
    fd = open("plain.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    close(fd);
    fd = open("garbage", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "\x01\x02\x03\x04 not an executable\n", 24) == 24);
    close(fd);
    REQUIRE(mkdir("dir", 0755) == 0);

    c = fork_flushed();
    if (c == 0) {
        execl("./script.sh", "script.sh", (char *)NULL);
        exec_failed("#! script");
    }
    describe("#! script exit 5", status_of(c));

    char *noargs[] = {"x", NULL};
    char *noenv[] = {NULL};
    SHOW("execve(missing)", execve("./missing", noargs, noenv));
    SHOW("execve(not executable)", execve("./plain.txt", noargs, noenv));
    SHOW("execve(directory)", execve("./dir", noargs, noenv));
    SHOW("execve(garbage with exec bit)", execve("./garbage", noargs, noenv));
    SHOW("execve(bad path pointer)", execve(BAD_POINTER, noargs, noenv));
    unlink("script.sh");
    unlink("plain.txt");
    unlink("garbage");
    rmdir("dir");
}

static void waiting(void) {
    SECTION("wait4, waitid, WNOHANG, WNOWAIT");
    SHOW("wait with no children", wait(NULL));
    SHOW("waitpid(WNOHANG) with no children", waitpid(-1, NULL, WNOHANG));

    int gate[2];
    REQUIRE(pipe(gate) == 0);
    pid_t c = fork_flushed();
    if (c == 0) {
        char b;
        close(gate[1]);
        read(gate[0], &b, 1);
        _exit(12);
    }
    close(gate[0]);
    int status = 0;
    VALUE("waitpid(WNOHANG) on a running child", waitpid(c, &status, WNOHANG));
    siginfo_t si = {0};
    SHOW("waitid(WNOHANG) on a running child", waitid(P_PID, c, &si, WEXITED | WNOHANG));
    FACT("  and it left si_pid zero", si.si_pid == 0);
    close(gate[1]);

    memset(&si, 0, sizeof si);
    SHOW("waitid(WNOWAIT)", waitid(P_PID, c, &si, WEXITED | WNOWAIT));
    printf("  code CLD_EXITED %s, status %d, pid matches %s\n", si.si_code == CLD_EXITED ? "yes" : "no",
           si.si_status, si.si_pid == c ? "yes" : "no");
    FACT("zombie still signalable after WNOWAIT", kill(c, 0) == 0);
    struct rusage ru;
    pid_t got = wait4(c, &status, 0, &ru);
    FACT("wait4 reaped the same child", got == c);
    describe("  status", status);
    SHOW("kill(reaped)", kill(c, 0));
    SHOW("waitid(P_PID reaped)", waitid(P_PID, c, &si, WEXITED));

    c = fork_flushed();
    if (c == 0) {
        for (;;) pause();
    }
    kill(c, SIGTERM);
    memset(&si, 0, sizeof si);
    SHOW("waitid(P_ALL) on a killed child", waitid(P_ALL, 0, &si, WEXITED));
    printf("  code CLD_KILLED %s, signal %s\n", si.si_code == CLD_KILLED ? "yes" : "no", sigabbrev_np(si.si_status));
    SHOW("waitid with no WEXITED/WSTOPPED/WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG));
    SHOW("waitpid bad options", waitpid(-1, NULL, 0x100));

    /* Several children, reaped by -1 in whatever order; the sum is order-independent. */
    for (int i = 1; i <= 5; i++) spawn_exit(i * 10);
    int sum = 0, reaped = 0;
    while ((got = waitpid(-1, &status, 0)) > 0) {
        sum += WEXITSTATUS(status);
        reaped++;
    }
    printf("reaped %d children, exit codes sum %d, then %s\n", reaped, sum, errno_name(errno));
}

static void orphans(void) {
    SECTION("zombies and orphans");
    /* Natively an ancestor may be a subreaper; becoming one makes the result ours either way. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    int report[2];
    REQUIRE(pipe(report) == 0);
    pid_t reaper = getpid();
    pid_t middle = fork_flushed();
    if (middle == 0) {
        pid_t orphan = fork();
        if (orphan < 0) _exit(EXIT_SETUP);
        if (orphan == 0) {
            pid_t original = getppid();
            for (int i = 0; i < 500 && getppid() == original; i++) {
                struct timespec d = {0, 10 * 1000 * 1000};
                nanosleep(&d, NULL);
            }
            char verdict = getppid() == reaper ? 'R' : (getppid() == original ? 'O' : 'X');
            pid_t me = getpid();
            write(report[1], &verdict, 1);
            write(report[1], &me, sizeof me);
            _exit(21);
        }
        _exit(20);
    }
    close(report[1]);
    describe("middle child", status_of(middle));
    char verdict = 0;
    pid_t orphan = 0;
    REQUIRE(read(report[0], &verdict, 1) == 1);
    REQUIRE(read(report[0], &orphan, sizeof orphan) == sizeof orphan);
    printf("orphan's new parent: %s\n",
           verdict == 'R' ? "the reaper" : verdict == 'O' ? "still the dead parent" : "someone else");
    int status;
    pid_t got = waitpid(-1, &status, 0);
    FACT("reaper waited for the orphan", got == orphan);
    describe("orphan", status);
    close(report[0]);
}

int main(int argc, char **argv) {
    static char self_path[4096];
    REQUIRE(realpath(argv[0], self_path) != NULL);
    self = self_path;
    if (argc > 1) return play_role(argc, argv);
    enter_scratch_dir();
    fork_and_exit_codes();
    exec_chains();
    waiting();
    orphans();
    leave_scratch_dir();
    return 0;
}
