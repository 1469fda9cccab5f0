/*
 * Process groups and sessions: setpgid/getpgid/getpgrp, setsid/getsid, their error cases, and
 * group-wide kill and wait.
 *
 * Nothing is said about this program's own group or session, which belong to whoever started
 * it; every fact is about children it created.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static const char *self;

static void describe(const char *what, int status) {
    if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(status)));
    else printf("%s: other status\n", what);
}

/* Forks a child that runs fn and exits with its result. */
static pid_t child_running(int (*fn)(void)) {
    pid_t c = fork_flushed();
    if (c == 0) {
        int rc = fn();
        flush_all();
        _exit(rc);
    }
    return c;
}

static int wait_status(pid_t c) {
    int status;
    REQUIRE(waitpid(c, &status, 0) == c);
    return status;
}

static int new_group_then_session(void) {
    printf("[child] inherits parent's session: %s\n", getsid(0) == getsid(getppid()) ? "yes" : "no");
    printf("[child] getpgid(0) equals getpgrp(): %s\n", getpgid(0) == getpgrp() ? "yes" : "no");
    SHOW("[child] setpgid(0, 0)", setpgid(0, 0));
    printf("[child] now leads its group: %s\n", getpgrp() == getpid() ? "yes" : "no");
    SHOW("[child] setsid as group leader", setsid());
    return 0;
}

static int session_leader(void) {
    pid_t sid = setsid();
    if (sid < 0)
        printf("[child] setsid: %s\n", errno_name(errno));
    else
        printf("[child] setsid returned own pid: %s\n", sid == getpid() ? "yes" : "no");
    printf("[child] getsid(0) and getpgrp() are own pid: %s\n", getsid(0) == getpid() && getpgrp() == getpid() ? "yes" : "no");
    SHOW("[child] setsid again", setsid());
    SHOW("[child] setpgid(0, 0) as session leader", setpgid(0, 0));
    SHOW("[child] setpgid into parent's group across sessions", setpgid(0, getpgid(getppid())));
    return 0;
}

static int pause_forever(void) {
    for (;;) pause();
    return 0;
}

/*
 * A child that forks a grandchild, reports its pid, and exits once the grandchild is dead and
 * reaped, so no orphan is left to be reparented onto this program when it runs as init.
 */
static pid_t grandchild_of(pid_t *middle) {
    int report[2];
    REQUIRE(pipe(report) == 0);
    flush_all();
    *middle = fork();
    REQUIRE(*middle >= 0);
    if (*middle == 0) {
        pid_t g = fork();
        if (g == 0) pause_forever();
        write(report[1], &g, sizeof g);
        _exit(waitpid(g, NULL, 0) == g ? 0 : 1);
    }
    pid_t g = 0;
    REQUIRE(read(report[0], &g, sizeof g) == sizeof g);
    close(report[0]);
    close(report[1]);
    return g;
}

static void groups_and_sessions(void) {
    SECTION("groups and sessions");
    describe("child making a group", wait_status(child_running(new_group_then_session)));
    describe("child making a session", wait_status(child_running(session_leader)));

    pid_t middle;
    pid_t grandchild = grandchild_of(&middle);
    SHOW("setpgid(grandchild)", setpgid(grandchild, grandchild));
    kill(grandchild, SIGKILL);
    describe("middle child after its child was killed", wait_status(middle));
    SHOW("setpgid(self, -1)", setpgid(0, -1));
    SHOW("getpgid(reaped child)", ({
             pid_t c = child_running(pause_forever);
             kill(c, SIGKILL);
             wait_status(c);
             getpgid(c);
         }));

    pid_t c = child_running(pause_forever);
    SHOW("parent: setpgid(child, child)", setpgid(c, c));
    FACT("getpgid(child) is the child's pid", getpgid(c) == c);
    FACT("getsid(child) equals own session", getsid(c) == getsid(0));
    SHOW("setpgid(self, nonexistent group)", setpgid(0, c + 100000));
    kill(c, SIGKILL);
    wait_status(c);
    SHOW("getsid(reaped child)", getsid(c));

    /* After the child has exec'd, its parent may no longer move it. */
    int gate[2], execd[2];
    REQUIRE(pipe(gate) == 0);
    REQUIRE(pipe2(execd, O_CLOEXEC) == 0);
    c = fork_flushed();
    if (c == 0) {
        close(gate[1]);
        close(execd[0]);
        dup2(gate[0], 0);
        execl(self, self, "block-on-stdin", (char *)NULL);
        printf("  execve failed: %s\n", errno_name(errno));
        flush_all();
        _exit(97);
    }
    close(gate[0]);
    close(execd[1]);
    /* The close-on-exec pipe reads EOF once the child's execve has succeeded. */
    char b;
    REQUIRE(read(execd[0], &b, 1) == 0);
    close(execd[0]);
    SHOW("setpgid(child after execve)", setpgid(c, c));
    close(gate[1]);
    describe("exec'd child", wait_status(c));
}

static void group_signals_and_waits(void) {
    SECTION("group kill and wait");
    pid_t members[3];
    pid_t leader = 0;
    for (int i = 0; i < 3; i++) {
        members[i] = child_running(pause_forever);
        if (i == 0) leader = members[0];
        REQUIRE(setpgid(members[i], leader) == 0);
    }
    pid_t outsider = child_running(pause_forever);

    int status;
    VALUE("waitpid(-group, WNOHANG) with live members", waitpid(-leader, &status, WNOHANG));
    SHOW("kill(-group, SIGTERM)", kill(-leader, SIGTERM));
    int killed = 0;
    pid_t got;
    while ((got = waitpid(-leader, &status, 0)) > 0)
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) killed++;
    printf("group members killed by TERM: %d, then %s\n", killed, errno_name(errno));
    FACT("outsider still alive", kill(outsider, 0) == 0);
    SHOW("kill(-empty group, SIGTERM)", kill(-leader, SIGTERM));
    SHOW("killpg(group, 0) on empty group", killpg(leader, 0));

    /* waitpid(0) waits for children in the caller's own group only; the outsider is one. */
    kill(outsider, SIGKILL);
    got = waitpid(0, &status, 0);
    FACT("waitpid(0) reaped the same-group outsider", got == outsider);
    describe("  outsider", status);
}

int main(int argc, char **argv) {
    static char self_path[4096];
    REQUIRE(realpath(argv[0], self_path) != NULL);
    self = self_path;
    if (argc > 1 && strcmp(argv[1], "block-on-stdin") == 0) {
        char b;
        return read(0, &b, 1) == 0 ? 4 : 5;
    }
    groups_and_sessions();
    group_signals_and_waits();
    return 0;
}
