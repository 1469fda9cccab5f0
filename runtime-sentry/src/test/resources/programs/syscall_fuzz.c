/*
 * Throws random system calls with random arguments at the kernel, from short-lived children.
 * Calls that would end the run itself (killing other processes, forking, exec, changing how
 * SIGALRM or SIGKILL reach the child) are left out; everything else is fair game, including
 * calls that wreck the child's own memory. Prints one line per child: how it ended.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t state;

static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static long arg(void) {
    static const long interesting[] = {0, 1, -1, 2, 4096, 0x7fffffff, -4096, 0x400000, 0x7ffffffff000L,
                                       0xffffffffffffffffL, 0x8000000000000000L, 3, 100, -100};
    switch (next() % 4) {
        case 0: return interesting[next() % (sizeof interesting / sizeof interesting[0])];
        case 1: return (long) (next() & 0xfff);
        case 2: return (long) next();
        default: return (long) (0x7fffff000000L + (next() & 0xffffff)); /* near the stack */
    }
}

static int excluded(long nr) {
    switch (nr) {
        case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3: case SYS_execve: case SYS_execveat:
        case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
        case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_alarm: case SYS_setitimer:
        case SYS_timer_create: case SYS_timer_settime: case SYS_exit: case SYS_exit_group:
        case SYS_vhangup: case SYS_setsid: case SYS_setpgid:
            return 1;
        default:
            return 0;
    }
}

int main(int argc, char **argv) {
    int children = argc > 1 ? atoi(argv[1]) : 20;
    int calls = argc > 2 ? atoi(argv[2]) : 2000;
    state = argc > 3 ? strtoull(argv[3], NULL, 10) : 0x9e3779b97f4a7c15ULL;
    for (int c = 0; c < children; c++) {
        uint64_t seed = next();
        pid_t pid = fork();
        if (pid == 0) {
            state = seed | 1;
            alarm(1);
            for (int i = 0; i < calls; i++) {
                long nr = (long) (next() % 450);
                if (excluded(nr)) continue;
                syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
            }
            _exit(0);
        }
        int status;
        time_t deadline = time(NULL) + 5;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (time(NULL) > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            usleep(1000);
        }
        printf("child %d: %s %d\n", c, WIFEXITED(status) ? "exit" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    printf("survived\n");
    return 0;
}
