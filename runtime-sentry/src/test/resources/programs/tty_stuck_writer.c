/*
 * Writes 1 MiB to its terminal while nobody reads the other side: the write fills the terminal
 * and sleeps until SIGALRM (a handler, no SA_RESTART) cuts it short. Exits 42 for a short
 * write, 43 otherwise.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_alarm(int sig) { (void) sig; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    size_t size = 1 << 20;
    char *big = malloc(size);
    memset(big, 'z', size);
    alarm(2);
    ssize_t n = write(1, big, size);
    return n > 0 && (size_t) n < size ? 42 : 43;
}
