/*
 * Isolation probe: asks for things a sandboxed program must never get from the host kernel —
 * reboot, mount, ptrace, module loading, kexec, swap, host-only paths — and prints, for each,
 * "name: ok" or "name: ERRNO". The test that runs it decides which answers are acceptable and
 * checks from the host side that nothing changed.
 *
 * It is meant to run only inside the sandbox. Two guards keep it from acting natively: the
 * environment must carry JVISOR_ISOLATION_PROBE=1 and the program must be pid 1 (the sandbox
 * init), which an ordinary host process never is. Beyond the guards every call is also made
 * harmless by construction: reboot gets a wrong magic number, mount a source that does not
 * exist, kexec_load invalid flags, swapon a missing file, init_module a garbage image.
 *
 * Usage: isolation HOST_CANARY_PATH HOST_WRITE_PATH
 *   HOST_CANARY_PATH exists on the host outside the rootfs and must not be readable;
 *   HOST_WRITE_PATH is a host path (under a host directory) that must not come to exist.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#define EXIT_REFUSED 3

/* Opens path read-only and reports the outcome; a success also reports the first bytes. */
static void try_open(const char *label, const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        printf("%s: %s\n", label, errno_name(errno));
        return;
    }
    printf("%s: ok\n", label);
    close(fd);
}

/*
 * The rest of the host-level calls, each with arguments that are invalid or inert on Linux:
 * whatever the sandbox answers, none of them may change the host.
 */
static void denied_elsewhere(void) {
    struct timeval bad_tv = {.tv_sec = 0, .tv_usec = -1};
    struct timespec bad_ts = {.tv_sec = -1, .tv_nsec = 0};
    struct iovec iov = {.iov_base = NULL, .iov_len = 0};
    char ldt[16];
    SHOW("pivot_root", syscall(SYS_pivot_root, "/jvisor-isolation-no-such-dir", "/jvisor-isolation-no-such-dir"));
    SHOW("create_module", syscall(SYS_create_module, "jvisor_isolation", 0UL));
    SHOW("quotactl", syscall(SYS_quotactl, 0, "/jvisor-isolation-no-such-device", 0, NULL));
    SHOW("nfsservctl", syscall(SYS_nfsservctl, 0, NULL, NULL));
    SHOW("acct", syscall(SYS_acct, "/jvisor-isolation-no-such-file"));
    SHOW("settimeofday", syscall(SYS_settimeofday, &bad_tv, NULL));
    SHOW("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_ts));
    SHOW("adjtimex", syscall(SYS_adjtimex, BAD_POINTER));
    SHOW("clock_adjtime", syscall(SYS_clock_adjtime, CLOCK_REALTIME, BAD_POINTER));
    SHOW("vhangup", syscall(SYS_vhangup));
    SHOW("modify_ldt", syscall(SYS_modify_ldt, 0, ldt, sizeof ldt));
    SHOW("lookup_dcookie", syscall(SYS_lookup_dcookie, 0UL, NULL, 0UL));
    SHOW("setns", syscall(SYS_setns, -1, 0));
    SHOW("process_vm_readv", syscall(SYS_process_vm_readv, 2, &iov, 1UL, &iov, 1UL, 0UL));
    SHOW("process_vm_writev", syscall(SYS_process_vm_writev, 2, &iov, 1UL, &iov, 1UL, 0UL));
    SHOW("userfaultfd", syscall(SYS_userfaultfd, 0));
    SHOW("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
    SHOW("fanotify_init", syscall(SYS_fanotify_init, 0, 0));
    SHOW("kcmp", syscall(SYS_kcmp, 1, 2, 0, 0UL, 0UL));
    SHOW("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0xdead0000UL));
    SHOW("bpf", syscall(SYS_bpf, -1, NULL, 0));
    SHOW("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0UL));
    SHOW("open_tree", syscall(SYS_open_tree, -1, "/jvisor-isolation-no-such-dir", 0));
    SHOW("move_mount", syscall(SYS_move_mount, -1, "", -1, "", 0));
    SHOW("fsopen", syscall(SYS_fsopen, "jvisor-isolation-no-such-fs", 0));
    SHOW("fsconfig", syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0));
    SHOW("fsmount", syscall(SYS_fsmount, -1, 0, 0));
    SHOW("fspick", syscall(SYS_fspick, -1, "/jvisor-isolation-no-such-dir", 0));
    SHOW("mount_setattr", syscall(SYS_mount_setattr, -1, "", 0, NULL, 0UL));
    SHOW("process_madvise", syscall(SYS_process_madvise, -1, &iov, 1UL, 0, 0));
    SHOW("pidfd_getfd", syscall(SYS_pidfd_getfd, -1, -1, 0));
    SHOW("unshare(0)", syscall(SYS_unshare, 0));
    SHOW("unshare(CLONE_NEWNS)", syscall(SYS_unshare, CLONE_NEWNS));
    SHOW("unshare(CLONE_NEWNET)", syscall(SYS_unshare, CLONE_NEWNET));
    /* Kernels built without these answer ENOSYS; a program must cope with that. */
    SHOW("add_key", syscall(SYS_add_key, "user", "jvisor-isolation", "x", 1UL, -2));
    SHOW("request_key", syscall(SYS_request_key, "user", "jvisor-isolation-no-such-key", NULL, 0));
    SHOW("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2, 0));
    SHOW("io_uring_setup", syscall(SYS_io_uring_setup, 0U, NULL));
    SHOW("io_uring_enter", syscall(SYS_io_uring_enter, -1, 0U, 0U, 0U, NULL, 0UL));
    SHOW("io_uring_register", syscall(SYS_io_uring_register, -1, 0U, NULL, 0U));
}

int main(int argc, char **argv) {
    const char *armed = getenv("JVISOR_ISOLATION_PROBE");
    if (!armed || strcmp(armed, "1") != 0 || getpid() != 1 || argc != 3) {
        fprintf(stderr, "isolation: refusing to run outside the sandbox (needs JVISOR_ISOLATION_PROBE=1, pid 1, 2 arguments)\n");
        return EXIT_REFUSED;
    }
    const char *canary = argv[1], *write_target = argv[2];

    SHOW("reboot", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0x12345678, LINUX_REBOOT_CMD_POWER_OFF, NULL));
    SHOW("mount", mount("/jvisor-isolation-no-such-device", "/tmp", "ext4", MS_RDONLY, NULL));
    SHOW("umount2 /", umount2("/", MNT_DETACH));
    SHOW("init_module", syscall(SYS_init_module, "garbage", 7UL, ""));
    SHOW("finit_module", syscall(SYS_finit_module, 0, "", 0));
    SHOW("delete_module", syscall(SYS_delete_module, "jvisor_isolation_no_such_module", O_NONBLOCK));
    SHOW("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL));
    SHOW("swapon", swapon("/jvisor-isolation-no-such-swapfile", 0));
    SHOW("swapoff", swapoff("/jvisor-isolation-no-such-swapfile"));
    SHOW("ptrace(PTRACE_TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
    SHOW("ptrace(PTRACE_ATTACH, host-like pid 2)", ptrace(PTRACE_ATTACH, 2, NULL, NULL));
    SHOW("iopl(3)", syscall(SYS_iopl, 3));
    SHOW("ioperm", syscall(SYS_ioperm, 0x80UL, 1UL, 1));
    denied_elsewhere();

    /* Host paths the sandbox must not see: the canary, and escapes through .. and symlinks. */
    try_open("open host canary", canary, O_RDONLY);
    char escape[4096];
    snprintf(escape, sizeof escape, "/../../../../..%s", canary);
    try_open("open host canary through /../..", escape, O_RDONLY);
    unlink("/tmp/escape-link");
    SHOW("symlink to the host canary", symlink(escape, "/tmp/escape-link"));
    try_open("open host canary through a symlink", "/tmp/escape-link", O_RDONLY);
    try_open("create host file", write_target, O_CREAT | O_WRONLY | O_EXCL);
    try_open("open /proc/1/root/../../../etc/shadow", "/proc/1/root/../../../etc/shadow", O_RDONLY);
    try_open("open /dev/mem", "/dev/mem", O_RDONLY);
    try_open("open /dev/kmem", "/dev/kmem", O_RDONLY);
    try_open("open /proc/kcore", "/proc/kcore", O_RDONLY);
    try_open("open /dev/sda", "/dev/sda", O_RDONLY);
    try_open("open /dev/vda", "/dev/vda", O_RDONLY);
    try_open("open /sys/firmware", "/sys/firmware", O_RDONLY | O_DIRECTORY);
    try_open("open /etc/shadow", "/etc/shadow", O_RDONLY);
    try_open("open /run/containerd", "/run/containerd", O_RDONLY | O_DIRECTORY);

    SHOW("sethostname", sethostname("jvisor-isolation-probe", 22));
    return 0;
}
