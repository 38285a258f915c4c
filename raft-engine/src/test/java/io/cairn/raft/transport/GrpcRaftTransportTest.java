package io.cairn.raft.transport;

import static io.cairn.raft.transport.RecordingHandler.numbered;
import static io.cairn.raft.transport.RecordingHandler.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real gRPC servers on 127.0.0.1 with free ports; the peers run in this JVM, so calls go
 * in-process ({@link CoLocatedServers}), and over TCP in {@link GrpcRaftTransportNettyTest}.
 * Every transport made by {@link #node} is closed after the test.
 */
@DisplayName("GrpcRaftTransport: streams, batching, backpressure, reconnects")
class GrpcRaftTransportTest {
    static final Duration AWAIT = Duration.ofSeconds(15);

    @TempDir
    Path staging;

    private final List<GrpcRaftTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(GrpcRaftTransport::close);
    }

    GrpcTransportOptions options() {
        return GrpcTransportOptions.defaults()
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .withShutdownTimeout(Duration.ofSeconds(2))
                .withSnapshotStagingDir(staging);
    }

    GrpcRaftTransport node(long id, int port, RaftMessageHandler handler, GrpcTransportOptions options) {
        GrpcRaftTransport t = new GrpcRaftTransport(id, "127.0.0.1", port, handler, options);
        transports.add(t);
        t.start();
        return t;
    }

    GrpcRaftTransport node(long id, RaftMessageHandler handler) {
        return node(id, 0, handler, options());
    }

    /**
     * Whether a peer in this JVM gets its messages as plain calls (PeerLink's direct hand-off):
     * so in this suite; not with the in-process path off, nor with the hand-off off.
     */
    boolean expectDirect() {
        return true;
    }

    static String addr(GrpcRaftTransport t) {
        return "127.0.0.1:" + t.port();
    }

    static List<Long> upTo(int n) {
        return LongStream.range(0, n).boxed().toList();
    }

    @Test
    @DisplayName("two nodes exchange thousands of messages of many groups both ways: all delivered, in order, batched")
    void twoNodesExchange() {
        RecordingHandler h1 = new RecordingHandler();
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, h1);
        GrpcRaftTransport n2 = node(2, h2);
        n1.setPeer(2, addr(n2));
        n2.setPeer(1, addr(n1));
        int n = 5000;
        int groups = 64;
        // Warm streams first, so the batching below comes from load, not from a connect in progress.
        assertThat(sendAll(n1, 1, 2, 0, 1, groups)).isEqualTo(1);
        assertThat(sendAll(n2, 2, 1, 0, 1, groups)).isEqualTo(1);
        await().atMost(AWAIT).until(() -> h2.count(1) == 1 && h1.count(2) == 1);

        CompletableFuture<Integer> oneToTwo = CompletableFuture.supplyAsync(() -> sendAll(n1, 1, 2, 1, n, groups));
        CompletableFuture<Integer> twoToOne = CompletableFuture.supplyAsync(() -> sendAll(n2, 2, 1, 1, n, groups));

        assertThat(oneToTwo.join()).isEqualTo(n - 1);
        assertThat(twoToOne.join()).isEqualTo(n - 1);
        await().atMost(AWAIT).until(() -> h2.count(1) == n && h1.count(2) == n);
        assertThat(sequence(h2.from(1))).isEqualTo(upTo(n));
        assertThat(sequence(h1.from(2))).isEqualTo(upTo(n));
        assertThat(h2.from(1)).allSatisfy(m -> {
            assertThat(m.groupId()).isEqualTo(m.message().index() % groups);
            assertThat(m.message().from()).isEqualTo(1);
            assertThat(m.message().to()).isEqualTo(2);
        });
        assertThat(n1.peerStats(2).direct()).isEqualTo(expectDirect());
        if (!expectDirect()) {
            // Over a stream, under load several messages share a batch: far fewer batches than
            // messages. (Handed over directly, each send goes at once: one sender, batches of one.)
            assertThat(h2.maxBatch()).isGreaterThan(1);
            assertThat(h2.totalBatches()).isLessThan(n);
        }
        assertThat(n1.peerStats(2).sentMessages()).isEqualTo(n);
        assertThat(n1.peerStats(2).sentBatches()).isEqualTo(h2.totalBatches());
        assertThat(n1.peerStats(2).connected()).isTrue();
    }

    @Test
    @DisplayName("a peer in this JVM gets the sent messages themselves, on the sender's thread (direct hand-off); else over a stream")
    void coLocatedPeerTakesMessagesDirectly() {
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        List<GroupMessage> got = java.util.Collections.synchronizedList(new ArrayList<>());
        RaftMessageHandler h = new RaftMessageHandler() {
            @Override
            public void onMessages(long fromNode, List<GroupMessage> batch) {
                threads.add(Thread.currentThread().getName());
                got.addAll(batch);
            }

            @Override
            public void onSnapshot(long fromNode, GroupMessage snapMessage, Path receivedDir) {
            }
        };
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        GrpcRaftTransport n2 = node(2, h);
        n1.setPeer(2, addr(n2));
        List<GroupMessage> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            GroupMessage m = numbered(1, 2, i, 3, new byte[10]);
            sent.add(m);
            assertThat(n1.send(2, m)).isTrue();
        }
        await().atMost(AWAIT).until(() -> got.size() == 20);
        assertThat(got).extracting(m -> m.message().index()).isEqualTo(sequence(sent));
        PeerStats st = n1.peerStats(2);
        assertThat(st.direct()).isEqualTo(expectDirect());
        assertThat(st.connected()).isTrue();
        assertThat(st.sentMessages()).isEqualTo(20);
        if (expectDirect()) {
            assertThat(threads).containsOnly(Thread.currentThread().getName());
            for (int i = 0; i < 20; i++) {
                assertThat(got.get(i)).isSameAs(sent.get(i)); // shared, not copied
            }
        } else {
            assertThat(threads).doesNotContain(Thread.currentThread().getName());
            assertThat(got.get(0)).isNotSameAs(sent.get(0));
        }

        // The peer stops: the link falls back to its (failing) stream and queues; a new node on
        // the same port gets the queue in order.
        int port = n2.port();
        n2.close();
        await().atMost(AWAIT).until(() -> !n1.peerStats(2).connected());
        assertThat(n1.peerStats(2).direct()).isFalse();
        for (int i = 20; i < 30; i++) {
            assertThat(n1.send(2, numbered(1, 2, i, 3, null))).isTrue();
        }
        RecordingHandler back = new RecordingHandler();
        node(2, port, back, options());
        await().atMost(AWAIT).until(() -> back.count(1) == 10);
        assertThat(sequence(back.from(1))).isEqualTo(LongStream.range(20, 30).boxed().toList());
        await().atMost(AWAIT).until(() -> n1.peerStats(2).connected());
        assertThat(n1.peerStats(2).direct()).isEqualTo(expectDirect());
        assertThat(n1.peerStats(2).failures()).isZero();
    }

    @Test
    @DisplayName("three nodes, every ordered pair: all delivered and per-pair order preserved")
    void threeNodesAllPairs() {
        int n = 3000;
        int groups = 100;
        List<RecordingHandler> handlers = List.of(new RecordingHandler(), new RecordingHandler(), new RecordingHandler());
        List<GrpcRaftTransport> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(node(i + 1, handlers.get(i)));
        }
        for (GrpcRaftTransport a : nodes) {
            for (GrpcRaftTransport b : nodes) {
                if (a != b) {
                    a.setPeer(b.localNode(), addr(b));
                }
            }
        }

        List<CompletableFuture<Integer>> senders = new ArrayList<>();
        for (GrpcRaftTransport a : nodes) {
            for (GrpcRaftTransport b : nodes) {
                if (a != b) {
                    senders.add(CompletableFuture.supplyAsync(
                            () -> sendAll(a, a.localNode(), b.localNode(), 0, n, groups)));
                }
            }
        }

        assertThat(senders).allSatisfy(f -> assertThat(f.join()).isEqualTo(n));
        for (int to = 0; to < 3; to++) {
            RecordingHandler h = handlers.get(to);
            for (long from = 1; from <= 3; from++) {
                if (from == to + 1) {
                    continue;
                }
                long f = from;
                await().atMost(AWAIT).until(() -> h.count(f) == n);
                assertThat(sequence(h.from(f))).as("messages %d -> %d", f, to + 1).isEqualTo(upTo(n));
            }
            if (!expectDirect()) {
                assertThat(h.totalBatches()).isLessThan(2 * n);
            }
        }
    }

    @Test
    @DisplayName("send refuses unknown and removed peers")
    void unknownAndRemovedPeers() {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        GrpcRaftTransport n2 = node(2, h2);
        GroupMessage m = numbered(1, 2, 0, 1, null);

        assertThat(n1.send(2, m)).isFalse();
        assertThat(n1.peerStats(2)).isNull();

        n1.setPeer(2, addr(n2));
        assertThat(n1.send(2, m)).isTrue();
        await().atMost(AWAIT).until(() -> h2.count(1) == 1);

        n1.removePeer(2);
        assertThat(n1.send(2, m)).isFalse();
        assertThat(n1.peerStats(2)).isNull();
    }

    @Test
    @DisplayName("peer down: sends are queued up to the bound then refused; a new server on the same port gets them after reconnect")
    void peerDownThenBack() {
        int capacity = 100;
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), options().withQueueCapacity(capacity, 64L << 20));
        RecordingHandler first = new RecordingHandler();
        GrpcRaftTransport n2 = node(2, first);
        int port = n2.port();
        n1.setPeer(2, addr(n2));
        assertThat(n1.send(2, numbered(1, 2, 0, 4, null))).isTrue();
        await().atMost(AWAIT).until(() -> first.count(1) == 1);

        n2.close();
        await().atMost(AWAIT).until(() -> !n1.peerStats(2).connected());
        List<Boolean> results = new ArrayList<>();
        for (int i = 0; i < capacity + 50; i++) {
            results.add(n1.send(2, numbered(1, 2, i, 4, null)));
        }
        assertThat(results.subList(0, capacity)).containsOnly(true);
        assertThat(results.subList(capacity, capacity + 50)).containsOnly(false);
        // While it is down, every attempt to reconnect fails and the backoff grows.
        await().atMost(AWAIT).until(() -> n1.peerStats(2).failures() >= 2);
        assertThat(n1.peerStats(2).queuedMessages()).isEqualTo(capacity);

        RecordingHandler second = new RecordingHandler();
        GrpcRaftTransport back = node(2, port, second, options());

        await().atMost(AWAIT).until(() -> second.count(1) == capacity);
        assertThat(sequence(second.from(1))).isEqualTo(upTo(capacity));
        await().atMost(AWAIT).until(() -> n1.peerStats(2).connected());
        assertThat(n1.peerStats(2).failures()).isZero();
        assertThat(n1.send(2, numbered(1, 2, capacity, 4, null))).isTrue();
        await().atMost(AWAIT).until(() -> second.count(1) == capacity + 1);
        assertThat(back.port()).isEqualTo(port);
    }

    @Test
    @DisplayName("a node answering at the address with another id gets nothing; moving the peer keeps the queue")
    void wrongNodeAtAddressGetsNothing() {
        RecordingHandler h2 = new RecordingHandler();
        RecordingHandler h3 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        GrpcRaftTransport n2 = node(2, h2);
        GrpcRaftTransport n3 = node(3, h3);

        n1.setPeer(3, addr(n2)); // stale address: node 2 listens there
        for (int i = 0; i < 10; i++) {
            assertThat(n1.send(3, numbered(1, 3, i, 2, null))).isTrue();
        }
        await().atMost(AWAIT).until(() -> n1.peerStats(3).failures() >= 2);
        assertThat(h2.count(1)).isZero();
        assertThat(n1.peerStats(3).queuedMessages()).isEqualTo(10);

        n1.setPeer(3, addr(n3));
        await().atMost(AWAIT).until(() -> h3.count(1) == 10);
        assertThat(sequence(h3.from(1))).isEqualTo(upTo(10));
        assertThat(h2.count(1)).isZero();
    }

    @Test
    @DisplayName("a message larger than the queue's byte bound is refused, the next one still goes")
    void oversizedMessageRefused() {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), options().withQueueCapacity(100, 64 * 1024));
        GrpcRaftTransport n2 = node(2, h2);
        n1.setPeer(2, addr(n2));

        assertThat(n1.send(2, numbered(1, 2, 0, 1, new byte[128 * 1024]))).isFalse();
        assertThat(n1.send(2, numbered(1, 2, 1, 1, new byte[1024]))).isTrue();
        await().atMost(AWAIT).until(() -> h2.count(1) == 1);
        assertThat(n1.peerStats(2).refused()).isEqualTo(1);
    }

    @Test
    @DisplayName("close is idempotent, refuses later sends and frees the port")
    void closeFreesThePort() {
        RecordingHandler h = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        GrpcRaftTransport n2 = node(2, h);
        int port = n2.port();
        n1.setPeer(2, addr(n2));
        n2.setPeer(1, addr(n1));
        assertThat(n1.send(2, numbered(1, 2, 0, 1, null))).isTrue();
        assertThat(n2.send(1, numbered(2, 1, 0, 1, null))).isTrue();
        await().atMost(AWAIT).until(() -> h.count(1) == 1);

        n1.close();
        n1.close();
        assertThat(n1.send(2, numbered(1, 2, 1, 1, null))).isFalse();
        n2.close();
        GrpcRaftTransport again = node(2, port, h, options());
        assertThat(again.port()).isEqualTo(port);
    }

    @Test
    @DisplayName("peer addresses are checked when set: host:port, IPv6 in brackets")
    void peerAddresses() {
        assertThat(GrpcRaftTransport.parseAddress("127.0.0.1:7000").getPort()).isEqualTo(7000);
        assertThat(GrpcRaftTransport.parseAddress("store-1.cairn:7000").getHostString()).isEqualTo("store-1.cairn");
        assertThat(GrpcRaftTransport.parseAddress("[::1]:7000").getHostString()).isEqualTo("::1");
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        for (String bad : List.of("127.0.0.1", "127.0.0.1:", ":7000", "a b:1", "host:7000/x", "user@host:1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> n1.setPeer(2, bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(n1.peerStats(2)).isNull();
    }

    @Test
    @DisplayName("local-only message kinds still cross if asked to (the transport does not judge types)")
    void anyMessageTypeCrosses() {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, new RecordingHandler());
        GrpcRaftTransport n2 = node(2, h2);
        n1.setPeer(2, addr(n2));
        for (MessageType t : MessageType.values()) {
            assertThat(n1.send(2, new GroupMessage(t.code(), Message.builder(t).from(1).to(2).term(5).build())))
                    .isTrue();
        }
        await().atMost(AWAIT).until(() -> h2.count(1) == MessageType.values().length);
        assertThat(h2.from(1)).extracting(m -> m.message().type()).containsExactly(MessageType.values());
    }

    /**
     * Sends the numbered messages [first, end), retrying (spinning) while the queue is full;
     * returns how many went.
     */
    private static int sendAll(GrpcRaftTransport t, long from, long to, int first, int end, int groups) {
        byte[] payload = new byte[100];
        int next = first;
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (next < end && System.nanoTime() < deadline) {
            if (t.send(to, numbered(from, to, next, groups, payload))) {
                next++;
            } else {
                Thread.onSpinWait();
            }
        }
        return next - first;
    }
}
