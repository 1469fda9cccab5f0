/**
 * The sandbox-behaviour settings of runsc ({@link dev.jvisor.runsc.config.RunscConfig}) and where
 * they come from. Lowest precedence first:
 * <ol>
 *   <li>the built-in default;</li>
 *   <li>the command-line flag ({@code --network=none});</li>
 *   <li>the node's config file, {@code <install>/etc/runsc.toml} ({@code network = "none"}):
 *       containerd cannot add flags, so this is where a node chooses;</li>
 *   <li>the pod annotation {@code jvisor.dev/<key>}, only for keys whose
 *       {@link dev.jvisor.runsc.config.AnnotationRule} allows it, and only to tighten.</li>
 * </ol>
 *
 * <h2>Adding a setting</h2>
 * <ol>
 *   <li>Add a constant to {@link dev.jvisor.runsc.config.ConfigOption}: its key (the flag, file
 *       key and annotation suffix), default, value parser, help text and annotation rule.</li>
 *   <li>Add a typed getter to {@link dev.jvisor.runsc.config.RunscConfig} that reads it.</li>
 *   <li>Add its cases to RunscConfigTest. The flag, the file key, the annotation and
 *       {@code runsc help config} follow from the constant.</li>
 * </ol>
 */
package dev.jvisor.runsc.config;
