package io.cairn.raft.runtime;

import io.cairn.raft.transport.GroupMessage;
import io.cairn.raft.transport.RaftMessageHandler;
import io.cairn.raft.transport.RaftTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test double of the transport: in-process delivery between runtimes registered in one
 * {@link Network}, on a delivery thread per receiving node; links can be cut. The real gRPC
 * transport has its own tests.
 */
final class LocalTransport implements RaftTransport {

    static final class Network {
        final Map<Long, LocalTransport> nodes = new ConcurrentHashMap<>();
        final Set<Long> down = ConcurrentHashMap.newKeySet();
    }

    private final long nodeId;
    private final Network net;
    private final RaftMessageHandler handler;
    private final ExecutorService inbox;

    LocalTransport(long nodeId, Network net, RaftMessageHandler handler) {
        this.nodeId = nodeId;
        this.net = net;
        this.handler = handler;
        this.inbox = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "local-transport-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() {
        net.nodes.put(nodeId, this);
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public void setPeer(long nodeId, String address) {
    }

    @Override
    public void removePeer(long nodeId) {
    }

    @Override
    public Set<Long> peers() {
        return Set.copyOf(net.nodes.keySet());
    }

    @Override
    public boolean isConnected(long nodeId) {
        return net.nodes.containsKey(nodeId) && !net.down.contains(nodeId) && !net.down.contains(this.nodeId);
    }

    @Override
    public boolean send(long toNode, GroupMessage message) {
        LocalTransport to = net.nodes.get(toNode);
        if (to == null || net.down.contains(toNode) || net.down.contains(nodeId)) {
            return false;
        }
        to.inbox.execute(() -> to.handler.onMessages(nodeId, List.of(message)));
        return true;
    }

    @Override
    public CompletableFuture<Void> sendSnapshot(long toNode, GroupMessage snapMessage, Path snapshotDir) {
        LocalTransport to = net.nodes.get(toNode);
        if (to == null || net.down.contains(toNode)) {
            return CompletableFuture.failedFuture(new IllegalStateException("unreachable"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        to.inbox.execute(() -> {
            try {
                Path copy = Files.createTempDirectory("snap-recv");
                try (var files = Files.list(snapshotDir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, copy.resolve(f.getFileName()));
                    }
                }
                to.handler.onSnapshot(nodeId, snapMessage, copy);
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    @Override
    public void close() {
        net.nodes.remove(nodeId, this);
        inbox.shutdownNow();
    }
}
