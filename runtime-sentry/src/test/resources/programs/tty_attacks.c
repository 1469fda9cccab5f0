/*
 * Tries, from inside the sandbox, what a hostile program might do with its terminal: fake
 * input, bad pointers, unknown requests, taking another session's terminal, moving the
 * foreground to a foreign group, and leaving the terminal in a strange state. Prints one line
 * per attempt, then "DONE", then waits for a line before exiting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *res(int r) {
    if (r == 0) return "ok";
    switch (errno) {
        case EIO: return "EIO";
        case EFAULT: return "EFAULT";
        case ENOTTY: return "ENOTTY";
        case EPERM: return "EPERM";
        case EINVAL: return "EINVAL";
        default: return "other";
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char c = 'x';
    printf("TIOCSTI %s\n", res(ioctl(0, TIOCSTI, &c)));
    printf("TCSETS bad pointer %s\n", res(ioctl(0, TCSETS, (void *) 8)));
    printf("TIOCGWINSZ bad pointer %s\n", res(ioctl(0, TIOCGWINSZ, (void *) 8)));
    printf("TCGETS bad pointer %s\n", res(ioctl(0, TCGETS, (void *) 8)));
    printf("unknown request %s\n", res(ioctl(0, 0x54ff, 0)));
    printf("TCFLSH bad queue %s\n", res(ioctl(0, TCFLSH, 7)));
    printf("TIOCSETD other discipline %s\n", res(ioctl(0, TIOCSETD, &(int){2})));

    int p[2];
    if (pipe(p) != 0) return 70;
    pid_t child = fork();
    if (child == 0) {
        setsid(); /* a new session: the console is not its terminal */
        char msg[128];
        snprintf(msg, sizeof msg, "other session: TIOCSCTTY %s, tcsetpgrp %s, TIOCGPGRP %s",
                 res(ioctl(0, TIOCSCTTY, 0)), res(tcsetpgrp(0, getpgrp())), res(ioctl(0, TIOCGPGRP, &(int){0})));
        if (write(p[1], msg, strlen(msg) + 1) < 0) _exit(70);
        _exit(0);
    }
    char msg[128] = "";
    if (read(p[0], msg, sizeof msg) <= 0) return 70;
    waitpid(child, NULL, 0);
    printf("%s\n", msg);

    pid_t foreign = fork();
    if (foreign == 0) {
        setsid();
        pause();
        _exit(0);
    }
    usleep(100000);
    printf("tcsetpgrp to another session's group %s\n", res(tcsetpgrp(0, foreign)));
    kill(foreign, 9);
    waitpid(foreign, NULL, 0);

    /* Leave the terminal as strange as possible: the host's must not follow. */
    struct termios t;
    tcgetattr(0, &t);
    t.c_oflag |= OCRNL | OLCUC;
    t.c_iflag |= IGNCR;
    tcsetattr(0, TCSANOW, &t);
    struct winsize ws = {.ws_row = 5, .ws_col = 5};
    ioctl(0, TIOCSWINSZ, &ws);
    usleep(300000);
    memset(&ws, 0, sizeof ws);
    ioctl(0, TIOCGWINSZ, &ws);
    t.c_oflag &= ~(OCRNL | OLCUC);
    tcsetattr(0, TCSANOW, &t);
    printf("window size set inside stays %dx%d\n", ws.ws_row, ws.ws_col);
    printf("DONE\n");
    char line[64];
    ssize_t n = read(0, line, sizeof line);
    printf("bye %zd\n", n);
    return 0;
}
