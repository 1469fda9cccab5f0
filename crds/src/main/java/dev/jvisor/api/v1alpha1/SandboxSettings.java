package dev.jvisor.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The runtime settings of a sandbox; each maps onto one runsc flag through a {@code jvisor.dev/*} annotation. */
// Unknown fields are dropped, not fatal: an older operator must read policies written for a newer schema.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxSettings {

    @JsonPropertyDescription("How application code traps into the Sentry. ptrace: PTRACE_SYSEMU, works "
            + "everywhere without extra privileges.")
    @Default("ptrace")
    private Platform platform = Platform.PTRACE;

    @JsonPropertyDescription("none: loopback only. sandbox: the Sentry's own network stack on the pod's network "
            + "namespace. host: the Sentry proxies host sockets (weaker isolation).")
    @Default("sandbox")
    private NetworkMode network = NetworkMode.SANDBOX;

    @JsonPropertyDescription("exclusive: the sandbox assumes it alone changes the container's files and caches "
            + "freely. shared: files may change from outside (shared volumes), so caches revalidate.")
    @Default("exclusive")
    private FileAccess fileAccess = FileAccess.EXCLUSIVE;

    @JsonPropertyDescription("memory: the root filesystem is read-only under a tmpfs upper layer held in the "
            + "sandbox's memory. none: writes go through the Gofer to the container's rootfs.")
    @Default("memory")
    private RootOverlay rootOverlay = RootOverlay.MEMORY;

    @JsonPropertyDescription("System calls the Sentry refuses to serve, on top of what it never supports.")
    private SyscallFilter syscalls;

    @JsonPropertyDescription("Which trace points the sandbox reports to the node agent's event stream.")
    private Monitoring monitoring;

    @JsonPropertyDescription("Write the Sentry's debug log on the node. For diagnosis only: it slows the sandbox.")
    @Default("false")
    private Boolean debug = false;

    @JsonPropertyDescription("Log every system call the application makes, like strace, to the debug log.")
    @Default("false")
    private Boolean strace = false;

    public Platform getPlatform() {
        return platform;
    }

    public void setPlatform(Platform platform) {
        this.platform = platform;
    }

    public NetworkMode getNetwork() {
        return network;
    }

    public void setNetwork(NetworkMode network) {
        this.network = network;
    }

    public FileAccess getFileAccess() {
        return fileAccess;
    }

    public void setFileAccess(FileAccess fileAccess) {
        this.fileAccess = fileAccess;
    }

    public RootOverlay getRootOverlay() {
        return rootOverlay;
    }

    public void setRootOverlay(RootOverlay rootOverlay) {
        this.rootOverlay = rootOverlay;
    }

    public SyscallFilter getSyscalls() {
        return syscalls;
    }

    public void setSyscalls(SyscallFilter syscalls) {
        this.syscalls = syscalls;
    }

    public Monitoring getMonitoring() {
        return monitoring;
    }

    public void setMonitoring(Monitoring monitoring) {
        this.monitoring = monitoring;
    }

    public Boolean getDebug() {
        return debug;
    }

    public void setDebug(Boolean debug) {
        this.debug = debug;
    }

    public Boolean getStrace() {
        return strace;
    }

    public void setStrace(Boolean strace) {
        this.strace = strace;
    }
}
