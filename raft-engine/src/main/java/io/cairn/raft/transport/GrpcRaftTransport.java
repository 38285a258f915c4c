package io.cairn.raft.transport;

import io.cairn.raft.core.MessageType;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.cairn.raft.transport.proto.RaftTransportGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RaftTransport} over gRPC (Netty, plaintext): one {@code Stream} call per ordered pair of
 * nodes, opened by the sender, carrying batches of messages of many groups; snapshots in chunks
 * over {@code SendSnapshot} calls of their own. See {@code raft_transport.proto} for the wire
 * format, {@link PeerLink} for queueing, batching, flow control and reconnects, and
 * {@link SnapshotSender}/{@link SnapshotReceiver} for snapshots.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #setPeer} for each peer (before or after
 * start), {@link #send}/{@link #sendSnapshot}, {@link #close()}. Sending needs no server, so a
 * transport may send before it listens.
 *
 * <p>Snapshot transfers are not resumable: a transfer that breaks is discarded by the receiver
 * and fails the sender's future; the leader retries, and the retry starts from the first byte.
 */
public final class GrpcRaftTransport implements RaftTransport {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcRaftTransport.class);
    /**
     * System property: {@code false} turns off the direct hand-off to a peer transport in this JVM
     * ({@link PeerLink}) for links made afterwards; their messages take the (in-process) stream.
     */
    public static final String DIRECT_PROPERTY = "cairn.raft.direct";

    private final long localNode;
    private final String bindHost;
    private final int requestedPort;
    private final GrpcTransportOptions options;
    private final Path stagingRoot;
    private final InboundService inbound;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<Long, PeerLink> peers = new ConcurrentHashMap<>();
    private final Set<SnapshotSender> snapshotsInFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Server server;

    /**
     * @param localNode this node's id (sent with every batch and snapshot)
     * @param bindHost  address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port      port to listen on; 0 picks a free one (see {@link #port()})
     * @param handler   receives what arrives; called from transport threads, must not block
     */
    public GrpcRaftTransport(long localNode, String bindHost, int port, RaftMessageHandler handler,
                             GrpcTransportOptions options) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        this.localNode = localNode;
        this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
        this.requestedPort = port;
        this.options = Objects.requireNonNull(options, "options");
        this.stagingRoot = options.snapshotStagingDir().toAbsolutePath().normalize();
        this.inbound = new InboundService(localNode, Objects.requireNonNull(handler, "handler"), stagingRoot);
        this.executor = new ScheduledThreadPoolExecutor(options.executorThreads(), daemonThreads(localNode));
        this.executor.setRemoveOnCancelPolicy(true);
    }

    public GrpcRaftTransport(long localNode, String bindHost, int port, RaftMessageHandler handler) {
        this(localNode, bindHost, port, handler, GrpcTransportOptions.defaults());
    }

    public long localNode() {
        return localNode;
    }

    public GrpcTransportOptions options() {
        return options;
    }

    @Override
    public synchronized void start() {
        if (closed.get()) {
            throw new IllegalStateException("transport of node " + localNode + " is closed");
        }
        if (server != null) {
            throw new IllegalStateException("transport of node " + localNode + " already started");
        }
        try {
            Files.createDirectories(stagingRoot);
            Duration ka = options.keepAliveTime();
            // Over Netty every call runs on gRPC's executor, as before. In-process (a peer in this
            // JVM) the message stream runs on the sender's drain thread: the handler never blocks.
            // Snapshot reception writes files, so it gets a pool of its own.
            server = GrpcServers.start(bindHost, requestedPort, options.maxInboundMessageBytes(), false, true,
                    Set.of(RaftTransportGrpc.getSendSnapshotMethod().getFullMethodName()),
                    // A restarted node rebinds its port at once (SO_REUSEADDR, set by GrpcServers);
                    // peers ping after keepAliveTime idle: allow that (and a little faster).
                    nb -> nb.permitKeepAliveTime(Math.max(1, ka.toMillis() / 2), TimeUnit.MILLISECONDS),
                    inbound);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + stagingRoot, e);
        }
        LOG.debug("node {} listening on {}:{}", localNode, bindHost, port());
    }

    @Override
    public int port() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("transport of node " + localNode + " is not started");
        }
        return s.getPort();
    }

    /** Ignored once the transport is closed. */
    @Override
    public void setPeer(long nodeId, String address) {
        parseAddress(address); // fail here, not on some drain thread
        synchronized (peers) { // against close(): no link may be added after it took the list
            if (closed.get()) {
                return;
            }
            PeerLink link = peers.get(nodeId);
            if (link == null) {
                peers.put(nodeId, new PeerLink(nodeId, address, localNode, options, executor, this::newChannel));
            } else {
                link.retarget(address);
            }
        }
    }

    /** Drops the peer's queue and cancels its calls, snapshot transfers to it included. */
    @Override
    public void removePeer(long nodeId) {
        PeerLink link;
        synchronized (peers) {
            link = peers.remove(nodeId);
        }
        if (link != null) {
            link.close(false);
        }
    }

    @Override
    public boolean send(long toNode, GroupMessage message) {
        PeerLink link = peers.get(toNode);
        return link != null && link.offer(message);
    }

    /**
     * Streams the files under {@code snapshotDir} (every regular file, recursively; symbolic links
     * are not followed) in chunks of {@link GrpcTransportOptions#snapshotChunkBytes()}. The
     * directory must not change until the future completes. Cancelling the returned future
     * aborts the transfer.
     */
    @Override
    public CompletableFuture<Void> sendSnapshot(long toNode, GroupMessage snapMessage, Path snapshotDir) {
        if (snapMessage.message().type() != MessageType.SNAP) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "not a SNAP message: " + snapMessage.message().type()));
        }
        PeerLink link = peers.get(toNode);
        if (link == null || closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    closed.get() ? "transport is closed" : "no address for node " + toNode));
        }
        List<String> files;
        try {
            files = SnapshotSender.listFiles(snapshotDir);
        } catch (IOException | UncheckedIOException e) {
            return CompletableFuture.failedFuture(e);
        }
        SnapshotSender sender = new SnapshotSender(localNode, snapMessage, snapshotDir, files,
                options.snapshotChunkBytes());
        snapshotsInFlight.add(sender);
        CompletableFuture<Void> result = sender.result();
        result.whenComplete((v, t) -> {
            snapshotsInFlight.remove(sender);
            if (result.isCancelled()) {
                sender.cancel("cancelled by the caller");
            }
        });
        link.stub().sendSnapshot(sender);
        if (result.isCompletedExceptionally()) {
            sender.cancel("cancelled while starting"); // close() or the caller got there first
        }
        return result;
    }

    @Override
    public java.util.Set<Long> peers() {
        return java.util.Set.copyOf(peers.keySet());
    }

    @Override
    public boolean isConnected(long nodeId) {
        PeerStats s = peerStats(nodeId);
        return s != null && s.connected();
    }

    /** The outbound state of a peer, or null if it is not known. */
    public PeerStats peerStats(long nodeId) {
        PeerLink link = peers.get(nodeId);
        return link == null ? null : link.stats();
    }

    /** Snapshot receptions in progress; for tests. */
    List<SnapshotReceiver> snapshotReceptions() {
        return inbound.receiversInProgress();
    }

    /**
     * Stops gracefully within {@link GrpcTransportOptions#shutdownTimeout()}: refuses new sends,
     * fails snapshot transfers in progress (both ways, discarding partial received ones),
     * half-closes outbound streams, ends inbound ones, then waits for channels and server and
     * cancels whatever is left at the deadline. Queued messages are dropped.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
        for (SnapshotSender s : snapshotsInFlight) {
            s.cancel("transport closing");
        }
        List<PeerLink> links;
        synchronized (peers) {
            links = new ArrayList<>(peers.values());
            peers.clear();
        }
        List<ManagedChannel> channels = new ArrayList<>();
        for (PeerLink link : links) {
            channels.add(link.close(true));
        }
        inbound.closeAll();
        Server s;
        synchronized (this) {
            s = server;
        }
        if (s != null) {
            s.shutdown();
        }
        try {
            for (ManagedChannel ch : channels) {
                if (!ch.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                    ch.shutdownNow();
                }
            }
            if (s != null && !s.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                LOG.info("node {}: server calls still running after {}; cancelling them", localNode,
                        options.shutdownTimeout());
                s.shutdownNow();
                s.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channels.forEach(ManagedChannel::shutdownNow);
            if (s != null) {
                s.shutdownNow();
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Callbacks (acks, onReady, snapshot pumping, which reads files) run on gRPC's executor, not
     * direct: in-process, a direct callback would run on the peer's thread while it holds its
     * stream's or receiver's lock, and the sender's callbacks take the link's lock.
     */
    private ManagedChannel newChannel(String address) {
        InetSocketAddress a = parseAddress(address);
        return GrpcChannels.open(a.getHostString(), a.getPort(), options.maxInboundMessageBytes(), false,
                GrpcChannels.keepAlive(options.keepAliveTime().toMillis(),
                        Math.max(1000, options.keepAliveTime().toMillis())));
    }

    /** {@code host:port}, with brackets around an IPv6 host ({@code [::1]:7000}). */
    static InetSocketAddress parseAddress(String address) {
        Objects.requireNonNull(address, "address");
        try {
            URI uri = new URI("cairn://" + address);
            if (uri.getHost() == null || uri.getPort() < 0 || uri.getPath() != null && !uri.getPath().isEmpty()
                    || uri.getUserInfo() != null || uri.getQuery() != null) {
                throw new IllegalArgumentException("peer address: '" + address + "' (expected: host:port)");
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return InetSocketAddress.createUnresolved(host, uri.getPort());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("peer address: '" + address + "' (expected: host:port)", e);
        }
    }

    private static ThreadFactory daemonThreads(long node) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "cairn-raft-transport-" + node + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
