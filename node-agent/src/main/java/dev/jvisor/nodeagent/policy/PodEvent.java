package dev.jvisor.nodeagent.policy;

import dev.jvisor.node.v1.EventKind;
import dev.jvisor.node.v1.SandboxEvent;
import java.util.Optional;

/**
 * The Kubernetes Event a sandbox event becomes, if any: lifecycle, OOM and refused system calls
 * do; trace points (one per exec, open, …) are only counted. An unimplemented system call is what
 * a program may try again and again: such events belong to a series (per syscall), which the
 * {@link PodEventRecorder} folds into one Event with a count per interval.
 *
 * @param series the syscall of an event that is folded into a series, or empty
 * @param calls  how many occurrences this event stands for (at least one)
 */
record PodEvent(String reason, String message, boolean warning, Optional<String> series, long calls) {

    PodEvent(String reason, String message, boolean warning) {
        this(reason, message, warning, Optional.empty(), 1);
    }

    static Optional<PodEvent> of(SandboxEvent e) {
        String sandbox = e.getSandboxId().isEmpty() ? "" : " " + RequestChecks.quote(e.getSandboxId());
        return switch (e.getKind()) {
            case SANDBOX_STARTED -> Optional.of(new PodEvent("SandboxStarted",
                    "jVisor sandbox" + sandbox + " started", false));
            case SANDBOX_EXITED -> Optional.of(new PodEvent("SandboxExited",
                    "jVisor sandbox" + sandbox + " exited with status " + e.getExitStatus(), e.getExitStatus() != 0));
            case OOM -> Optional.of(new PodEvent("SandboxOOM",
                    "jVisor sandbox" + sandbox + " ran out of memory" + detail(e), true));
            case SYSCALL_DENIED -> Optional.of(new PodEvent("SyscallDenied",
                    "the sandbox refused system call " + RequestChecks.quote(e.getSyscall()) + detail(e), true));
            case UNSUPPORTED_SYSCALL -> Optional.of(new PodEvent("UnsupportedSyscall",
                    "the sandbox does not implement system call " + RequestChecks.quote(e.getSyscall()) + detail(e),
                    true, Optional.of(e.getSyscall()), Math.max(1, e.getCount())));
            default -> Optional.empty();
        };
    }

    private static String detail(SandboxEvent e) {
        return e.getDetail().isEmpty() ? "" : ": " + RequestChecks.quote(e.getDetail());
    }
}
