package dev.jvisor.runsc.policy;

import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.startup.OwnJar;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opens runsc's gRPC client of the node agent. In the distribution gRPC's twenty-odd jars sit in
 * {@code lib/policy/}, off runsc's class path, so that no runsc call pays for them at start-up
 * (a longer class path is validated against the AOT cache on every start). Only a create with a
 * policy socket loads them, through a class loader of their own that also takes the client
 * ({@code dev.jvisor.runsc.policy.grpc}) and the generated API ({@code dev.jvisor.node.v1}) from
 * runsc's jar, and everything else, the {@link PolicyClient} it implements included, from runsc's
 * loader. Without {@code lib/policy/} (tests, a development class path) gRPC is on the class path.
 */
final class PolicyJars {

    static final String DIRECTORY = "lib/policy";
    static final String CLIENT = "dev.jvisor.runsc.policy.grpc.GrpcPolicyClient";
    static final String EVENTS = "dev.jvisor.runsc.policy.grpc.GrpcEventChannel";
    /** Loaded from this loader's jars even though runsc's loader can see them: they link against gRPC. */
    private static final List<String> OWN_PACKAGES = List.of("dev.jvisor.runsc.policy.grpc.", "dev.jvisor.node.v1.");

    private PolicyJars() {
    }

    /** @param home the installation directory, or null */
    static PolicyClient open(Path home, Path socket, Duration timeout) throws RunscException {
        return (PolicyClient) load(home, CLIENT, new Class<?>[] {Path.class, Duration.class}, socket, timeout);
    }

    /** The event stream of the sandbox {@code sandboxId} of {@code pod}, over the same jars. */
    static EventChannel openEvents(Path home, Path socket, PodIdentity pod, String sandboxId) throws RunscException {
        return (EventChannel) load(home, EVENTS, new Class<?>[] {Path.class, PodIdentity.class, String.class},
                socket, pod, sandboxId);
    }

    private static Object load(Path home, String className, Class<?>[] types, Object... args) throws RunscException {
        ClassLoader loader = PolicyJars.class.getClassLoader();
        Path jars = home == null ? null : home.resolve(DIRECTORY);
        if (jars != null && Files.isDirectory(jars)) {
            loader = new PolicyClassLoader(urls(jars), loader);
        }
        try {
            Class<?> c = Class.forName(className, true, loader);
            return c.getMethod("open", types).invoke(null, args);
        } catch (InvocationTargetException e) {
            throw new RunscException("cannot start the node agent's client: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            throw new RunscException("the node agent's client cannot be loaded (is " + jars
                    + " complete?): " + e, e);
        }
    }

    private static URL[] urls(Path dir) throws RunscException {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
            // runsc's own jar, for the two packages above.
            urls.add(OwnJar.of(PolicyJars.class).toUri().toURL());
        } catch (IOException e) {
            throw new RunscException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return urls.toArray(URL[]::new);
    }

    /** Child-first for {@link #OWN_PACKAGES}, parent-first (then these jars) for everything else. */
    private static final class PolicyClassLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        PolicyClassLoader(URL[] urls, ClassLoader parent) {
            super("jvisor-policy", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (OWN_PACKAGES.stream().noneMatch(name::startsWith)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }
}
