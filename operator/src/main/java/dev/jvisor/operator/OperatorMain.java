package dev.jvisor.operator;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;

/**
 * Entry point: the operator is a container entrypoint, so a start-up that fails must end the process, non-zero and
 * promptly, for the kubelet to restart it (CrashLoopBackOff) instead of leaving a pod that looks alive. Quarkus logs
 * the failure with its stack trace; this adds one line that names the failed step, then exits the JVM — threads a
 * half-started application left behind (Vert.x, HTTP clients) would otherwise keep it running.
 */
@QuarkusMain
public final class OperatorMain {

    /** The exit status of a failed start-up. */
    static final int STARTUP_FAILED = 1;

    private static final Logger LOG = Logger.getLogger(OperatorMain.class);

    /** Not instantiated; package-private only because the application's bean discovery sees this class. */
    OperatorMain() {
    }

    public static void main(String... args) {
        Quarkus.run(null, OperatorMain::exit, args);
    }

    private static void exit(int status, Throwable failure) {
        if (failure != null) {
            LOG.errorf("jVisor operator failed to start: %s", StartupFailures.describe(failure));
            System.exit(status == 0 ? STARTUP_FAILED : status);
        }
        System.exit(status);
    }
}
