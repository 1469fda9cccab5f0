package dev.jvisor.nodeagent.cri;

import dev.jvisor.cri.v1.CriApi;
import java.time.Duration;

/** Waits for containerd to answer CRI with its runtime ready, as kubelet needs it. */
public final class ContainerdHealth {

    /** The CRI condition type that says the container runtime is ready. */
    static final String RUNTIME_READY = "RuntimeReady";

    private ContainerdHealth() {
    }

    /** Returns once containerd reports RuntimeReady; throws the last failure after {@code timeout}. */
    public static void awaitReady(CriClient cri, Duration timeout, Duration interval) throws CriException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                checkReady(cri.status(false));
                return;
            } catch (CriException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CriException(CriException.Reason.UNAVAILABLE, "interrupted waiting for containerd", e);
            }
        }
    }

    static void checkReady(CriApi.StatusResponse status) throws CriException {
        boolean ready = status.getStatus().getConditionsList().stream()
                .anyMatch(c -> RUNTIME_READY.equals(c.getType()) && c.getStatus());
        if (!ready) {
            throw new CriException(CriException.Reason.RUNTIME_NOT_READY, status.getStatus().toString());
        }
    }
}
