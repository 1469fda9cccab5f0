/* Threads: creation, a mutex-protected counter, a condition variable, TLS, join, thread exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static __thread int tls_value;

static void *work(void *arg) {
    int id = (int) (long) arg;
    tls_value = id * 10;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    ready++;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    long distinct = syscall(SYS_gettid) != getpid();
    return (void *) (long) (tls_value + distinct);
}

int main(void) {
    pthread_t t[THREADS];
    tls_value = 99;
    for (long i = 0; i < THREADS; i++) {
        if (pthread_create(&t[i], NULL, work, (void *) i) != 0) { perror("pthread_create"); return 1; }
    }
    pthread_mutex_lock(&lock);
    while (ready < THREADS) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long) r;
    }
    printf("counter %ld\n", counter);
    printf("thread results %ld\n", sum);
    printf("main tls intact %s\n", tls_value == 99 ? "yes" : "no");
    return 0;
}
