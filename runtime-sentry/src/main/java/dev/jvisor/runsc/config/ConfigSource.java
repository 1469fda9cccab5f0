package dev.jvisor.runsc.config;

/**
 * Where a setting's value came from, lowest precedence first. POLICY: the node agent's answer for
 * the pod, which only ever tightens what the others chose.
 */
public enum ConfigSource {
    DEFAULT, FLAG, FILE, ANNOTATION, POLICY
}
