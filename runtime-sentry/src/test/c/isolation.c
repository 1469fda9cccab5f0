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
#include <sys/wait.h>

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
