package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;

/**
 * Calls that act on the host machine — rebooting, mounting, loading kernel modules, tracing,
 * changing the clock, raw I/O — and that a sandboxed program must never get. Each fails with
 * the errno an unprivileged Linux process sees; none reaches the host.
 */
final class SysDenied {
    private SysDenied() {}

    static void register(Registrar r) {
        int[] eperm = {Sysno.REBOOT, Sysno.MOUNT, Sysno.UMOUNT2, Sysno.PIVOT_ROOT, Sysno.PTRACE, Sysno.INIT_MODULE,
                Sysno.FINIT_MODULE, Sysno.DELETE_MODULE, Sysno.KEXEC_LOAD, Sysno.KEXEC_FILE_LOAD, Sysno.SWAPON,
                Sysno.SWAPOFF, Sysno.ACCT, Sysno.SETTIMEOFDAY, Sysno.CLOCK_SETTIME, Sysno.ADJTIMEX, Sysno.CLOCK_ADJTIME,
                Sysno.IOPL, Sysno.IOPERM, Sysno.BPF, Sysno.QUOTACTL, Sysno.SETNS, Sysno.VHANGUP, Sysno.LOOKUP_DCOOKIE,
                Sysno.PROCESS_VM_READV, Sysno.PROCESS_VM_WRITEV, Sysno.USERFAULTFD, Sysno.OPEN_BY_HANDLE_AT,
                Sysno.FANOTIFY_INIT, Sysno.KCMP, Sysno.MOVE_MOUNT, Sysno.FSOPEN, Sysno.FSMOUNT, Sysno.OPEN_TREE,
                Sysno.FSCONFIG, Sysno.FSPICK, Sysno.MOUNT_SETATTR, Sysno.NFSSERVCTL, Sysno.CREATE_MODULE,
                Sysno.MODIFY_LDT, Sysno.PERF_EVENT_OPEN, Sysno.PROCESS_MADVISE, Sysno.PIDFD_GETFD};
        for (int nr : eperm) {
            r.partial(nr, "xxxxxx", "denied with EPERM: the sandbox holds no host privilege", (t, a) -> {
                t.kernel().monitor().syscallDenied(nr);
                throw Errno.EPERM.exception();
            });
        }
        r.partial(Sysno.UNSHARE, "x", "flags 0 only; new namespaces are EPERM", (t, a) -> {
            if (a.arg(0) != 0) {
                t.kernel().monitor().syscallDenied(Sysno.UNSHARE);
                throw Errno.EPERM.exception();
            }
            return 0;
        });
        int[] enosys = {Sysno.RSEQ, Sysno.KEYCTL, Sysno.ADD_KEY, Sysno.REQUEST_KEY, Sysno.IO_URING_SETUP,
                Sysno.IO_URING_ENTER, Sysno.IO_URING_REGISTER, Sysno.CLONE3};
        for (int nr : enosys) {
            r.partial(nr, "xxxxxx", "returns ENOSYS, which libc handles (as on kernels without it)", (t, a) -> {
                throw Errno.ENOSYS.exception();
            });
        }
    }
}
