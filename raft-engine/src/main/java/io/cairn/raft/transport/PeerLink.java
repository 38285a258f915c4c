package io.cairn.raft.transport;

import io.cairn.raft.transport.proto.MessageBatch;
import io.cairn.raft.transport.proto.RaftTransportGrpc;
import io.cairn.raft.transport.proto.StreamAck;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of the link to one peer: a bounded queue, one gRPC {@code Stream} call at a
 * time, and a drainer that moves queued messages into that call in batches.
 *
 * <p><b>Threads.</b> {@link #offer} is called by Raft threads and only touches the queue.
 * Draining runs on the shared executor; {@link #drainScheduled} makes sure at most one drain of
 * this peer runs at a time, so batches leave in queue order. gRPC callbacks (stream ready,
 * stream ended, ack) and the reconnect timer only schedule a drain or change the connection
 * state under {@link #lock}.
 *
 * <p><b>Co-located peer.</b> When the peer's transport runs in this JVM (found through
 * {@link CoLocatedServers#service}, as the node we mean, not closing), a drain hands the batches
 * to its {@link InboundService} as a plain call, and {@link #offer} runs that drain itself, on
 * the sender's thread: no drain thread to wake, no gRPC stream, no protobuf copy — the receiving
 * handler only posts to its workers ({@link RaftMessageHandler} never blocks). Batches still leave
 * the one queue in order, one drain at a time; messages another thread queued meanwhile go with
 * this drain, so concurrent senders still batch. Messages are shared, not copied: nothing changes
 * a {@code Message} or its arrays once sent. System property
 * {@value GrpcRaftTransport#DIRECT_PROPERTY}{@code =false} turns this off for links made
 * afterwards (they use the in-process stream).
 *
 * <p><b>Flow control.</b> The drainer sends only while the call {@code isReady()}; when the
 * receiver is slow, HTTP/2 flow control makes the call not ready, the drainer stops, the queue
 * fills, and {@code offer} refuses. Memory stays bounded by the queue bounds plus one batch
 * buffered in gRPC.
 *
 * <p><b>Handshake.</b> Nothing is sent on a new call before the peer's {@code StreamAck} names
 * the node we meant: a node that took over an address (a restart with another id, a stale
 * configuration) never receives messages addressed to another one.
 *
 * <p><b>Failures.</b> When a call ends (error, or the server completing it), messages already
 * handed to it may be lost — Raft tolerates loss — and queued ones stay queued. The next call is
 * opened after a jittered exponential backoff ({@link ReconnectBackoff}), and only when there is
 * something to send; the failure count resets when a peer accepts a stream. Messages from an old
 * call that the peer is still processing may be delivered after the first ones of the new call:
 * order is preserved per call, and across a reconnect only as far as Raft needs (it tolerates
 * reordering).
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    final long nodeId;
    private final long localNode;
    private final GrpcTransportOptions options;
    private final ScheduledExecutorService executor;
    private final Function<String, ManagedChannel> channels;
    private final BoundedMessageQueue queue;
    private final ReconnectBackoff backoff;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong sentMessages = new AtomicLong();
    private final AtomicLong sentBatches = new AtomicLong();

    private final Object lock = new Object();
    // Guarded by lock.
    private String address;
    private ManagedChannel channel;
    private RaftTransportGrpc.RaftTransportStub stub;
    private OutboundStream stream;
    private boolean accepted;
    private boolean reconnectPending;
    private int reconnectEpoch;
    private int failures;
    private volatile boolean closed;
    /** The peer's transport in this JVM, when it runs here ({@link #directTarget}). */
    private volatile Supplier<InboundService> local;

    PeerLink(long nodeId, String address, long localNode, GrpcTransportOptions options,
             ScheduledExecutorService executor, Function<String, ManagedChannel> channels) {
        this.nodeId = nodeId;
        this.localNode = localNode;
        this.options = options;
        this.executor = executor;
        this.channels = channels;
        this.queue = new BoundedMessageQueue(options.queueCapacityMessages(), options.queueCapacityBytes());
        this.backoff = new ReconnectBackoff(options.reconnectBackoffMin(), options.reconnectBackoffMax());
        this.address = address;
        this.channel = channels.apply(address);
        this.stub = RaftTransportGrpc.newStub(channel);
        this.local = localInbound(address);
    }

    /** The peer's inbound service if it runs in this JVM (looked up per call), unless direct hand-off is off. */
    private static Supplier<InboundService> localInbound(String address) {
        if ("false".equalsIgnoreCase(System.getProperty(GrpcRaftTransport.DIRECT_PROPERTY, "true").trim())) {
            return () -> null;
        }
        InetSocketAddress a = GrpcRaftTransport.parseAddress(address);
        return CoLocatedServers.service(a.getHostString(), a.getPort(), InboundService.class);
    }

    /**
     * The peer's inbound service when the peer runs in this JVM, is the node we mean and is not
     * closing; else null (the stream route).
     */
    private InboundService directTarget() {
        InboundService in = local.get();
        return in != null && in.localNode() == nodeId && !in.closing() ? in : null;
    }

    /** Queues {@code m}; false if the queue is full or the link is closed. Never blocks. */
    boolean offer(GroupMessage m) {
        if (closed || !queue.offer(m)) {
            refused.incrementAndGet();
            return false;
        }
        InboundService in = directTarget();
        if (in == null) {
            scheduleDrain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            drain(in); // on this thread: hand-off to the peer's handler, which only posts to its workers
        }
        return true;
    }

    String address() {
        synchronized (lock) {
            return address;
        }
    }

    /** The stub for calls of their own (snapshots) on this peer's channel. */
    RaftTransportGrpc.RaftTransportStub stub() {
        synchronized (lock) {
            if (channel != null) {
                // Do not wait out gRPC's own connect backoff (up to minutes): the caller retries.
                channel.resetConnectBackoff();
            }
            return stub;
        }
    }

    /**
     * Points the link at a new address: the current call is cancelled (its in-flight messages
     * may be lost), the old channel shuts down gracefully (calls of their own on it, such as a
     * snapshot, finish), and the queue is kept.
     */
    void retarget(String newAddress) {
        ManagedChannel old;
        synchronized (lock) {
            if (closed || newAddress.equals(address)) {
                return;
            }
            dropStream("peer moved to " + newAddress);
            old = channel;
            address = newAddress;
            channel = channels.apply(newAddress);
            stub = RaftTransportGrpc.newStub(channel);
            local = localInbound(newAddress);
            failures = 0;
            reconnectPending = false;
            reconnectEpoch++;
        }
        old.shutdown();
        scheduleDrain();
    }

    /**
     * Stops the link for good. {@code graceful}: half-closes the stream so the peer finishes
     * what it received, and lets other calls finish; otherwise cancels everything now. Queued
     * messages are dropped either way. Returns the channel, to await its termination.
     */
    ManagedChannel close(boolean graceful) {
        ManagedChannel ch;
        synchronized (lock) {
            if (closed) {
                return channel;
            }
            closed = true;
            reconnectEpoch++;
            if (stream != null) {
                if (graceful) {
                    try {
                        stream.requests.onCompleted();
                    } catch (RuntimeException e) {
                        stream.requests.cancel("transport closing", e);
                    }
                } else {
                    stream.requests.cancel("peer removed", null);
                }
                stream = null;
            }
            ch = channel;
        }
        queue.clear();
        if (graceful) {
            ch.shutdown();
        } else {
            ch.shutdownNow();
        }
        return ch;
    }

    PeerStats stats() {
        synchronized (lock) {
            boolean direct = directTarget() != null;
            return new PeerStats(queue.size(), queue.bytes(), sentMessages.get(), sentBatches.get(), refused.get(),
                    stream != null && accepted || direct, direct, failures);
        }
    }

    // ---- draining ----

    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(() -> drain(directTarget()));
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // the transport is closing
            }
        }
    }

    /** Drains until the queue is empty or the stream cannot take more; {@code in}: the direct route, or null. */
    private void drain(InboundService in) {
        for (;;) {
            try {
                if (in != null) {
                    drainDirect(in);
                } else {
                    drainOnce();
                }
            } catch (RuntimeException | Error e) {
                // An Error too: escaping here would leave drainScheduled set and stall the peer.
                LOG.warn("draining messages to node {} failed", nodeId, e);
                synchronized (lock) {
                    if (stream != null) {
                        OutboundStream s = stream;
                        s.requests.cancel("drain failed", e);
                        ended(s, e);
                    }
                }
            }
            drainScheduled.set(false);
            // A send() or onReady that lost the race for drainScheduled relies on this re-check.
            in = directTarget();
            if (!hasWork(in) || !drainScheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private boolean hasWork(InboundService in) {
        if (in != null) {
            return !closed && !queue.isEmpty();
        }
        synchronized (lock) {
            if (closed || queue.isEmpty()) {
                return false;
            }
            return stream == null ? !reconnectPending : accepted && stream.requests.isReady();
        }
    }

    /** Hands the queued messages to the co-located peer's service, in batches, on this thread. */
    private void drainDirect(InboundService in) {
        boolean delivered = false;
        for (;;) {
            List<GroupMessage> batch = closed ? List.of() : queue.pollBatch(options.maxBatchMessages(),
                    options.maxBatchBytes());
            if (batch.isEmpty()) {
                break;
            }
            in.deliver(localNode, batch);
            sentBatches.incrementAndGet();
            sentMessages.addAndGet(batch.size());
            delivered = true;
        }
        if (delivered) {
            synchronized (lock) {
                failures = 0; // the peer is back: as when it accepts a stream
            }
        }
    }

    private void drainOnce() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (stream == null) {
                if (reconnectPending || queue.isEmpty()) {
                    return;
                }
                stream = new OutboundStream();
                accepted = false;
                stub.stream(stream);
            }
            if (!accepted) {
                return; // the ack (one round trip) schedules the next drain
            }
            ClientCallStreamObserver<MessageBatch> requests = stream.requests;
            while (requests.isReady()) {
                List<GroupMessage> batch = queue.pollBatch(options.maxBatchMessages(), options.maxBatchBytes());
                if (batch.isEmpty()) {
                    return;
                }
                MessageBatch.Builder b = MessageBatch.newBuilder().setFromNode(localNode);
                for (GroupMessage m : batch) {
                    io.cairn.raft.transport.proto.GroupMessage p = MessageCodec.toProto(m);
                    int size = p.getSerializedSize();
                    if (size > options.maxInboundMessageBytes() - GrpcTransportOptions.ENVELOPE_BYTES) {
                        // Sending it would break the stream for every group: drop it alone.
                        refused.incrementAndGet();
                        LOG.warn("dropping a message of {} bytes to node {} (expected: <= {}): {} of group {}",
                                size, nodeId, options.maxInboundMessageBytes() - GrpcTransportOptions.ENVELOPE_BYTES,
                                m.message().type(), m.groupId());
                        continue;
                    }
                    b.addMessages(p);
                }
                if (b.getMessagesCount() == 0) {
                    continue;
                }
                requests.onNext(b.build());
                sentBatches.incrementAndGet();
                sentMessages.addAndGet(b.getMessagesCount());
            }
        }
    }

    // ---- connection state ----

    /** The peer accepted the stream: check it is the node we meant, and reset the backoff. */
    private void onAccepted(OutboundStream s, StreamAck ack) {
        synchronized (lock) {
            if (stream != s) {
                return;
            }
            if (ack.getNodeId() != nodeId) {
                LOG.warn("node {} answered at {}, where node {} was expected; retrying", ack.getNodeId(), address,
                        nodeId);
                s.requests.cancel("wrong node at " + address, null);
                ended(s, Status.FAILED_PRECONDITION.withDescription("wrong node").asRuntimeException());
                return;
            }
            accepted = true;
            failures = 0;
        }
        scheduleDrain();
    }

    /** Call {@code s} ended: forget it and schedule the next attempt after a backoff. */
    private void ended(OutboundStream s, Throwable cause) {
        synchronized (lock) {
            if (stream != s) {
                return; // an old call, already replaced
            }
            stream = null;
            accepted = false;
            if (closed) {
                return;
            }
            failures++;
            long delay = backoff.delayMillis(failures, ThreadLocalRandom.current().nextDouble());
            reconnectPending = true;
            int epoch = ++reconnectEpoch;
            if (failures == 1) {
                LOG.info("stream to node {} at {} ended ({}); reconnecting in {} ms", nodeId, address,
                        cause == null ? "completed by peer" : Status.fromThrowable(cause), delay);
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("stream to node {} at {} ended ({}); failure {}, reconnecting in {} ms", nodeId, address,
                        cause == null ? "completed by peer" : Status.fromThrowable(cause), failures, delay);
            }
            try {
                executor.schedule(() -> reconnectDue(epoch), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the transport is closing
            }
        }
    }

    private void reconnectDue(int epoch) {
        synchronized (lock) {
            if (closed || epoch != reconnectEpoch) {
                return;
            }
            reconnectPending = false;
            // Our backoff decides when to try, not gRPC's own (which grows to minutes).
            channel.resetConnectBackoff();
        }
        scheduleDrain();
    }

    /** Cancels the current call (if any) without a backoff; caller holds the lock. */
    private void dropStream(String why) {
        if (stream != null) {
            stream.requests.cancel(why, null);
            stream = null;
            accepted = false;
        }
    }

    /** One {@code Stream} call. */
    private final class OutboundStream implements ClientResponseObserver<MessageBatch, StreamAck> {
        private ClientCallStreamObserver<MessageBatch> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<MessageBatch> requestStream) {
            this.requests = requestStream;
            requestStream.setOnReadyHandler(PeerLink.this::scheduleDrain);
        }

        @Override
        public void onNext(StreamAck ack) {
            onAccepted(this, ack);
        }

        @Override
        public void onError(Throwable t) {
            ended(this, t);
        }

        @Override
        public void onCompleted() {
            ended(this, null);
        }
    }
}
