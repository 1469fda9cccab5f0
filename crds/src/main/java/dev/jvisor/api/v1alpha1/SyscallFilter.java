package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** A deny list of system calls, enforced by the Sentry before it serves a call. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SyscallFilter {

    /** A Linux x86-64 system call name as in the kernel's syscall_64.tbl. */
    public static final String SYSCALL_NAME = "^[a-z][a-z0-9_]*$";
    /** An errno name from the kernel's errno-base.h / errno.h. */
    public static final String ERRNO_NAME = "^E[A-Z0-9]+$";

    @JsonPropertyDescription("System call names (as in the kernel's syscall_64.tbl, e.g. ptrace, keyctl) the "
            + "sandbox refuses.")
    @Size(max = 512)
    @ValidationRule(value = "self.all(n, n.matches('" + SYSCALL_NAME + "'))",
            message = "syscall names are lower-case kernel names like ptrace or keyctl")
    @ValidationRule(value = "self.all(n, self.exists_one(m, m == n))", message = "syscall names must be unique")
    private List<String> deny = new ArrayList<>();

    @JsonPropertyDescription("errno: a denied call fails with the errno below. kill: the caller is killed "
            + "with SIGSYS, like a seccomp SECCOMP_RET_KILL_PROCESS filter.")
    @Default("errno")
    private SyscallAction action = SyscallAction.ERRNO;

    @JsonPropertyDescription("The errno name a denied call fails with when action is errno (e.g. EPERM, ENOSYS).")
    @Default("EPERM")
    @Pattern(ERRNO_NAME)
    private String errno = "EPERM";

    public List<String> getDeny() {
        return deny;
    }

    public void setDeny(List<String> deny) {
        this.deny = deny;
    }

    public SyscallAction getAction() {
        return action;
    }

    public void setAction(SyscallAction action) {
        this.action = action;
    }

    public String getErrno() {
        return errno;
    }

    public void setErrno(String errno) {
        this.errno = errno;
    }
}
