package dev.jvisor.runsc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts fixed at build time: the jVisor version and the OCI runtime-spec version it implements. */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {}

    /** The project version, e.g. {@code 0.1.0}. */
    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    /** The OCI runtime-spec version runsc implements, e.g. {@code 1.1.0}. */
    public static String ociSpecVersion() {
        return PROPS.getProperty("ociSpecVersion", "unknown");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // A jar without its build facts still runs; version() says "unknown".
        }
        return p;
    }
}
