package dev.jvisor.nodeagent.containerd;

import dev.jvisor.nodeagent.host.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * Decides how to add the runtime to this node's containerd: which flavour, which config schema
 * (from the node's reported containerd version and the config's own {@code version}), and so which
 * files to edit.
 */
public final class ConfigPlanner {

    /** The drop-in's file name in {@code conf.d/} next to the main config (schema 3). */
    public static final String DROP_IN_NAME = "jvisor.toml";
    static final String TEMPLATE_V2 = "config.toml.tmpl";
    static final String TEMPLATE_V3 = "config-v3.toml.tmpl";

    private final HostPaths host;

    public ConfigPlanner(HostPaths host) {
        this.host = host;
    }

    /**
     * @param flavour        configured flavour ({@link ContainerdFlavour#AUTO} detects it)
     * @param configHostPath the plain containerd's config path as the host sees it
     * @param nodeVersion    containerd's version from the Node object, when known
     * @param handler        the runtime entry to add
     */
    public ConfigPlan plan(ContainerdFlavour flavour, String configHostPath, Optional<ContainerdVersion> nodeVersion,
            RuntimeHandler handler) throws ContainerdConfigException {
        ContainerdFlavour resolved = flavour.resolve(host);
        return switch (resolved) {
            case K3S, RKE2 -> planTemplate(resolved, nodeVersion, handler);
            default -> planPlain(configHostPath, nodeVersion, handler);
        };
    }

    private ConfigPlan planPlain(String configHostPath, Optional<ContainerdVersion> nodeVersion, RuntimeHandler handler)
            throws ContainerdConfigException {
        Path config = host.resolve(configHostPath);
        Optional<Long> fileVersion = configVersionOf(config);
        boolean v3 = fileVersion.map(v -> v == 3)
                .orElseGet(() -> nodeVersion.map(ContainerdVersion::usesConfigV3).orElse(false));
        if (fileVersion.isPresent() && nodeVersion.isPresent() && nodeVersion.get().usesConfigV3() && !v3) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.UNSUPPORTED_VERSION, config,
                    "containerd " + nodeVersion.get().major() + ".x reads config version 3; the file says "
                            + fileVersion.get() + " (run `containerd config migrate`)");
        }
        if (!v3) {
            return new ConfigPlan(ContainerdFlavour.CONTAINERD, CriPlugin.V2,
                    List.of(V2ConfigEdit.addRuntime(config, handler)));
        }
        Path dropInHost = Path.of(configHostPath).resolveSibling("conf.d").resolve(DROP_IN_NAME);
        Path dropIn = host.resolve(dropInHost.toString());
        return new ConfigPlan(ContainerdFlavour.CONTAINERD, CriPlugin.V3, List.of(
                V3ConfigEdit.writeDropIn(dropIn, handler),
                V3ConfigEdit.addImport(config, configHostPath, dropInHost.toString(), handler)));
    }

    private ConfigPlan planTemplate(ContainerdFlavour flavour, Optional<ContainerdVersion> nodeVersion,
            RuntimeHandler handler) throws ContainerdConfigException {
        Path dir = host.resolve(flavour.rancherContainerdDir());
        boolean v3 = nodeVersion.map(ContainerdVersion::usesConfigV3)
                .orElseGet(() -> isV3Rancher(dir));
        Path template = dir.resolve(v3 ? TEMPLATE_V3 : TEMPLATE_V2);
        CriPlugin schema = v3 ? CriPlugin.V3 : CriPlugin.V2;
        return new ConfigPlan(flavour, schema, List.of(TemplateConfigEdit.addRuntime(template, schema, handler)));
    }

    /** Without a node version: a v3 template, or a generated config in schema 3, means containerd 2.x. */
    private boolean isV3Rancher(Path dir) {
        if (Files.exists(dir.resolve(TEMPLATE_V3))) {
            return true;
        }
        try {
            return configVersionOf(dir.resolve("config.toml")).map(v -> v == 3).orElse(false);
        } catch (ContainerdConfigException unreadable) {
            return false;
        }
    }

    /**
     * The {@code version} of the config before we edited it (from our backup when present); empty
     * when there is no file; 1 when the file has no version key.
     */
    static Optional<Long> configVersionOf(Path config) throws ContainerdConfigException {
        Path source = Files.exists(ReversibleFiles.backupOf(config)) ? ReversibleFiles.backupOf(config) : config;
        if (Files.exists(ReversibleFiles.markerOf(config)) || !Files.exists(source)) {
            return Optional.empty();
        }
        try {
            TomlParseResult parsed = Toml.parse(ReversibleFiles.readUtf8(source, config));
            if (parsed.hasErrors()) {
                throw new ContainerdConfigException(ContainerdConfigException.Reason.PARSE_ERROR, config,
                        parsed.errors().getFirst().getMessage());
            }
            Object version = parsed.get("version");
            return Optional.of(version instanceof Long v ? v : 1L);
        } catch (IOException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.IO_ERROR, config, e.toString(), e);
        }
    }
}
