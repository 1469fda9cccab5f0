package dev.jvisor.runsc.lifecycle;

import dev.jvisor.oci.OciConfigException;
import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.runsc.cli.IoErrors;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.sentry.SandboxSpec;
import dev.jvisor.sentry.mounts.ContainerMounts;
import dev.jvisor.sentry.mounts.FsType;
import dev.jvisor.sentry.mounts.MountSpec;
import dev.jvisor.sentry.mounts.MountSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bundle's config.json as the Sentry's {@link SandboxSpec}. Everything that can be checked
 * before a sandbox exists is checked here, so {@code create} fails with a clear error rather
 * than leaving a boot process that cannot start.
 */
public final class BundleSandbox {
    /** Linux HOST_NAME_MAX (include/uapi/linux/limits.h is silent; sethostname(2): 64 bytes). */
    static final int HOST_NAME_MAX = 64;

    private BundleSandbox() {}

    /** The bundle's config, or an error naming the field at fault. */
    public static OciSpec read(Path bundle) throws RunscException {
        if (!Files.isDirectory(bundle)) throw new BundleException("bundle " + bundle + " is not a directory");
        try {
            return OciConfigReader.readBundle(bundle);
        } catch (OciConfigException e) {
            throw new BundleException("config.json: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BundleException("cannot read " + bundle.resolve("config.json") + ": " + IoErrors.reason(e), e);
        }
    }

    /**
     * The sandbox of this bundle. Its program's stdio are runsc's own fds 0, 1 and 2: create
     * passes them to the boot process untouched. With {@code process.terminal}, fd 0 is the
     * host pty slave of the console socket and the Sentry serves it as the container's terminal.
     * {@code overlay}: the root's writes stay in the Sentry's memory (otherwise they reach the
     * bundle's rootfs through the Gofer, as under runc).
     */
    public static SandboxSpec toSandboxSpec(Path bundle, OciSpec spec, boolean strace, boolean overlay) throws RunscException {
        OciSpec.Process process = spec.process();
        if (process == null) throw new BundleException("config.json: process: required to create a container");
        if (spec.root() == null) throw new BundleException("config.json: root: required (jVisor serves no host root to a container)");
        Path rootfs = bundle.resolve(spec.root().path()).toAbsolutePath().normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new BundleException("config.json: root.path: " + rootfs + " is not a directory");
        }
        String hostname = spec.hostname();
        if (hostname != null && (hostname.length() > HOST_NAME_MAX || hostname.indexOf('\0') >= 0)) {
            throw new BundleException("config.json: hostname: at most " + HOST_NAME_MAX + " bytes and no NUL");
        }
        if (hostname == null || hostname.isEmpty()) hostname = "jvisor";
        return new SandboxSpec(rootfs, process.args(), process.env(), process.cwd(), hostname, strace, 0, 1, 2, overlay,
                process.terminal(), OciProcessIdentity.of(process), containerMounts(bundle, spec));
    }

    /**
     * The bundle's {@code mounts}, {@code root.readonly}, {@code linux.maskedPaths} and
     * {@code linux.readonlyPaths}, checked: every mount has an absolute destination, a type the
     * Sentry can serve and options it knows, and a bind's host source exists (a relative one is
     * taken from the bundle, as runc does). The error names the mount at fault.
     */
    static ContainerMounts containerMounts(Path bundle, OciSpec spec) throws RunscException {
        List<MountSpec> mounts = new ArrayList<>();
        for (int i = 0; i < spec.mounts().size(); i++) {
            OciSpec.Mount m = spec.mounts().get(i);
            String source = m.source();
            boolean bind = "bind".equals(m.type()) || "rbind".equals(m.type()) || m.options().contains("bind") || m.options().contains("rbind");
            if (bind && source != null && !source.isEmpty() && !source.startsWith("/")) {
                source = bundle.resolve(source).toAbsolutePath().normalize().toString();
            }
            MountSpec checked;
            try {
                checked = MountSpec.of(m.destination(), m.type(), source, m.options());
            } catch (MountSpecException e) {
                throw new BundleException("config.json: mounts[" + i + "]: " + e.getMessage(), e);
            }
            if (checked.kind() == FsType.BIND && !Files.exists(Path.of(checked.source()))) {
                throw new BundleException("config.json: mounts[" + i + "]: mount \"" + m.destination() + "\": bind source "
                        + checked.source() + " does not exist");
            }
            mounts.add(checked);
        }
        OciSpec.Linux linux = spec.linux();
        return new ContainerMounts(mounts, spec.root() != null && spec.root().readonly(),
                linux == null ? List.of() : linux.maskedPaths(), linux == null ? List.of() : linux.readonlyPaths());
    }

    /** A bundle that cannot become a container. */
    public static final class BundleException extends RunscException {
        BundleException(String message) {
            super(message);
        }

        BundleException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
