package io.cairn.raft.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link GrpcRaftTransport}, each with its unit in its name and a default in
 * {@link #defaults()}. Change one with the {@code with…} methods:
 * {@code GrpcTransportOptions.defaults().withSnapshotChunkBytes(64 * 1024)}.
 *
 * @param queueCapacityMessages  most messages queued for one peer; {@code send} refuses more
 * @param queueCapacityBytes     most bytes ({@code Message.sizeBytes()}) queued for one peer; a
 *                               single message larger than this is always refused
 * @param maxBatchMessages       most messages in one {@code MessageBatch}
 * @param maxBatchBytes          most bytes in one {@code MessageBatch} (a larger single message
 *                               travels alone)
 * @param reconnectBackoffMin    delay before the first reconnect after a stream broke
 * @param reconnectBackoffMax    cap of the doubling delay between reconnect attempts
 * @param snapshotChunkBytes     bytes of file data per snapshot chunk
 * @param snapshotStagingDir     where received snapshots are written, one fresh directory each;
 *                               may be shared by several transports of one process
 * @param maxInboundMessageBytes largest gRPC message the server accepts; must exceed the largest
 *                               Raft message (and is checked against chunk and batch sizes)
 * @param keepAliveTime          idle time after which a channel pings its peer, so a peer that
 *                               vanished without closing its connections is noticed
 * @param shutdownTimeout        how long {@code close()} waits for calls to finish before
 *                               cancelling them
 * @param executorThreads        threads that drain the peers' queues and run reconnect timers
 */
public record GrpcTransportOptions(
        int queueCapacityMessages,
        long queueCapacityBytes,
        int maxBatchMessages,
        long maxBatchBytes,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        int snapshotChunkBytes,
        Path snapshotStagingDir,
        int maxInboundMessageBytes,
        Duration keepAliveTime,
        Duration shutdownTimeout,
        int executorThreads) {

    /** Room left in a gRPC message for the fields around a chunk's or a batch's payload. */
    static final int ENVELOPE_BYTES = 64 * 1024;

    public GrpcTransportOptions {
        positive("queueCapacityMessages", queueCapacityMessages);
        positive("queueCapacityBytes", queueCapacityBytes);
        positive("maxBatchMessages", maxBatchMessages);
        positive("maxBatchBytes", maxBatchBytes);
        positive("snapshotChunkBytes", snapshotChunkBytes);
        positive("maxInboundMessageBytes", maxInboundMessageBytes);
        positive("executorThreads", executorThreads);
        Objects.requireNonNull(reconnectBackoffMin, "reconnectBackoffMin");
        Objects.requireNonNull(reconnectBackoffMax, "reconnectBackoffMax");
        Objects.requireNonNull(snapshotStagingDir, "snapshotStagingDir");
        Objects.requireNonNull(keepAliveTime, "keepAliveTime");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (reconnectBackoffMin.toMillis() < 1 || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnect backoff: " + reconnectBackoffMin + ".." + reconnectBackoffMax
                    + " (expected: 1ms <= min <= max)");
        }
        if (snapshotChunkBytes > maxInboundMessageBytes - ENVELOPE_BYTES) {
            throw new IllegalArgumentException("snapshotChunkBytes: " + snapshotChunkBytes + " (expected: <= "
                    + (maxInboundMessageBytes - ENVELOPE_BYTES) + ", maxInboundMessageBytes less "
                    + ENVELOPE_BYTES + ")");
        }
        if (maxBatchBytes > maxInboundMessageBytes / 2) {
            throw new IllegalArgumentException("maxBatchBytes: " + maxBatchBytes + " (expected: <= "
                    + maxInboundMessageBytes / 2 + ", half of maxInboundMessageBytes)");
        }
        if (shutdownTimeout.isNegative() || keepAliveTime.isNegative() || keepAliveTime.isZero()) {
            throw new IllegalArgumentException("shutdownTimeout: " + shutdownTimeout + ", keepAliveTime: "
                    + keepAliveTime + " (expected: >= 0 and > 0)");
        }
    }

    /**
     * The defaults: 8192 messages / 64 MiB queued per peer, batches of at most 512 messages /
     * 1 MiB, reconnect after 50 ms doubling up to 2 s, 1 MiB snapshot chunks staged under
     * {@code ${java.io.tmpdir}/cairn-snapshot-staging}, 64 MiB inbound messages, a keep-alive
     * ping after 10 s idle, 5 s to shut down, 2 drain threads.
     */
    public static GrpcTransportOptions defaults() {
        return new GrpcTransportOptions(
                8192, 64L << 20,
                512, 1L << 20,
                Duration.ofMillis(50), Duration.ofSeconds(2),
                1 << 20, Path.of(System.getProperty("java.io.tmpdir"), "cairn-snapshot-staging"),
                64 << 20,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                2);
    }

    public GrpcTransportOptions withQueueCapacity(int messages, long bytes) {
        return new GrpcTransportOptions(messages, bytes, maxBatchMessages, maxBatchBytes, reconnectBackoffMin,
                reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir, maxInboundMessageBytes, keepAliveTime,
                shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withMaxBatch(int messages, long bytes) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, messages, bytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir,
                maxInboundMessageBytes, keepAliveTime, shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withReconnectBackoff(Duration min, Duration max) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                min, max, snapshotChunkBytes, snapshotStagingDir, maxInboundMessageBytes, keepAliveTime,
                shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withSnapshotChunkBytes(int bytes) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, bytes, snapshotStagingDir, maxInboundMessageBytes,
                keepAliveTime, shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withSnapshotStagingDir(Path dir) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, dir, maxInboundMessageBytes,
                keepAliveTime, shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withMaxInboundMessageBytes(int bytes) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir, bytes,
                keepAliveTime, shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withKeepAliveTime(Duration time) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir,
                maxInboundMessageBytes, time, shutdownTimeout, executorThreads);
    }

    public GrpcTransportOptions withShutdownTimeout(Duration timeout) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir,
                maxInboundMessageBytes, keepAliveTime, timeout, executorThreads);
    }

    public GrpcTransportOptions withExecutorThreads(int threads) {
        return new GrpcTransportOptions(queueCapacityMessages, queueCapacityBytes, maxBatchMessages, maxBatchBytes,
                reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, snapshotStagingDir,
                maxInboundMessageBytes, keepAliveTime, shutdownTimeout, threads);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
