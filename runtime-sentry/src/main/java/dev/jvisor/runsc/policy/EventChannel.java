package dev.jvisor.runsc.policy;

import java.time.Duration;
import java.util.Optional;

/**
 * A connection to the node agent's {@code StreamEvents} for one sandbox, as the
 * {@link SandboxEventReporter} sees it. Implemented over gRPC by
 * {@code dev.jvisor.runsc.policy.grpc.GrpcEventChannel}, loaded through {@link PolicyJars}.
 * Nothing here blocks on the network except the waits that take a timeout.
 */
public interface EventChannel extends AutoCloseable {

    /** Starts a new stream; it connects in the background ({@link Stream#awaitReady}). */
    Stream openStream();

    @Override
    void close();

    /** One {@code StreamEvents} call. */
    interface Stream {
        /**
         * Waits until the stream can take an event without buffering it, or has failed.
         *
         * @return true when ready; false when failed or still not ready after {@code timeout}
         */
        boolean awaitReady(Duration timeout) throws InterruptedException;

        /** Whether the call failed (agent gone, refused, connection lost). */
        boolean failed();

        /** Sends one event; only after {@link #awaitReady} said yes. */
        void send(MonitorEvent event);

        /** Ends the stream and waits up to {@code timeout} for the agent's counts. */
        Optional<Summary> finish(Duration timeout) throws InterruptedException;

        /** Abandons the stream. */
        void cancel();
    }

    /** The agent's answer when a stream ends: what it accepted and what it dropped. */
    record Summary(long accepted, long rejected) {}
}
