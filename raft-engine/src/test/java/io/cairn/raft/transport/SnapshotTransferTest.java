package io.cairn.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots in chunks between real transports over TCP on 127.0.0.1. */
@DisplayName("GrpcRaftTransport: snapshots in chunks")
class SnapshotTransferTest {
    private static final Duration AWAIT = Duration.ofSeconds(15);
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path tmp;

    private Path senderStaging;
    private Path receiverStaging;
    private final List<GrpcRaftTransport> transports = new ArrayList<>();

    @BeforeEach
    void dirs() throws IOException {
        senderStaging = Files.createDirectories(tmp.resolve("staging-1"));
        receiverStaging = Files.createDirectories(tmp.resolve("staging-2"));
    }

    @AfterEach
    void closeAll() {
        transports.forEach(GrpcRaftTransport::close);
    }

    private GrpcRaftTransport node(long id, int port, RaftMessageHandler handler, Path staging) {
        GrpcRaftTransport t = new GrpcRaftTransport(id, "127.0.0.1", port, handler, GrpcTransportOptions.defaults()
                .withSnapshotChunkBytes(CHUNK)
                .withSnapshotStagingDir(staging)
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .withShutdownTimeout(Duration.ofSeconds(2)));
        transports.add(t);
        t.start();
        return t;
    }

    static GroupMessage snapMessage(long groupId, long to) {
        ConfState cs = new ConfState(Set.of(1L, 2L, 3L), Set.of(1L, 2L, 4L), Set.of(5L), Set.of(4L), Set.of(5L), true);
        Snapshot s = new Snapshot(new SnapshotMetadata(12_345, 7, cs), "files:v1".getBytes(StandardCharsets.UTF_8));
        return new GroupMessage(groupId, Message.builder(MessageType.SNAP).from(1).to(to).term(7).snapshot(s).build());
    }

    /** ~7.6 MiB over six files: nested, empty, exactly a multiple of the chunk, odd sizes. */
    static Path writeSnapshot(Path dir) throws IOException {
        Random r = new Random(42);
        file(dir.resolve("CURRENT"), r, 16);
        file(dir.resolve("MANIFEST-000001"), r, 100 * 1024 + 3);
        file(dir.resolve("sst/000010.sst"), r, 3 * 1024 * 1024 + 1);
        file(dir.resolve("sst/000011.sst"), r, 4 * 1024 * 1024 - 7);
        file(dir.resolve("sst/sub/aligned.bin"), r, 7 * CHUNK);
        file(dir.resolve("empty.log"), r, 0);
        return dir;
    }

    private static void file(Path p, Random r, int size) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] b = new byte[size];
        r.nextBytes(b);
        Files.write(p, b);
    }

    /** A sparse file: large, instant to make, and slow enough to stream that a test can break it midway. */
    private static Path bigSnapshot(Path dir, long size) throws IOException {
        Files.createDirectories(dir);
        file(dir.resolve("CURRENT"), new Random(1), 16);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.sst").toFile(), "rw")) {
            f.setLength(size);
        }
        return dir;
    }

    static void assertSameTree(Path actual, Path expected) throws IOException {
        List<String> want = SnapshotSender.listFiles(expected);
        assertThat(SnapshotSender.listFiles(actual)).isEqualTo(want);
        for (String f : want) {
            assertThat(Files.mismatch(actual.resolve(f), expected.resolve(f))).as(f).isEqualTo(-1L);
        }
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static void assertSnapMessage(GroupMessage got, GroupMessage sent) {
        assertThat(got.groupId()).isEqualTo(sent.groupId());
        MessageCodecTest.assertSameMessage(got.message(), sent.message());
    }

    @Test
    @DisplayName("several files, far larger than the chunk size, arrive byte-identical; the handler is called once")
    void largeSnapshotArrivesIdentical() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        GrpcRaftTransport n2 = node(2, 0, h2, receiverStaging);
        n1.setPeer(2, "127.0.0.1:" + n2.port());
        Path source = writeSnapshot(tmp.resolve("snap"));
        GroupMessage snap = snapMessage(42, 2);

        n1.sendSnapshot(2, snap, source).get(20, TimeUnit.SECONDS);

        assertThat(h2.snapshots).hasSize(1);
        RecordingHandler.ReceivedSnapshot got = h2.snapshots.get(0);
        assertThat(got.fromNode()).isEqualTo(1);
        assertSnapMessage(got.message(), snap);
        assertThat(got.dir().getParent()).isEqualTo(receiverStaging.toAbsolutePath().normalize());
        assertSameTree(got.dir(), source);
        assertThat(children(receiverStaging)).containsExactly(got.dir());
        assertThat(n2.snapshotReceptions()).isEmpty();
        // Messages still flow next to snapshots (separate calls on the same channel).
        assertThat(n1.send(2, RecordingHandler.numbered(1, 2, 0, 1, null))).isTrue();
        await().atMost(AWAIT).until(() -> h2.count(1) == 1);
    }

    @Test
    @DisplayName("an empty snapshot directory is a valid snapshot")
    void emptyDirectory() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        GrpcRaftTransport n2 = node(2, 0, h2, receiverStaging);
        n1.setPeer(2, "127.0.0.1:" + n2.port());

        n1.sendSnapshot(2, snapMessage(1, 2), Files.createDirectories(tmp.resolve("nothing"))).get(10, TimeUnit.SECONDS);

        assertThat(h2.snapshots).hasSize(1);
        assertThat(children(h2.snapshots.get(0).dir())).isEmpty();
    }

    @Test
    @DisplayName("refused up front: unknown peer, a message that is not SNAP, a missing directory")
    void refusedUpFront() throws IOException {
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        Path source = Files.createDirectories(tmp.resolve("s"));
        assertThatThrownBy(() -> n1.sendSnapshot(9, snapMessage(1, 9), source).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("no address for node 9");

        n1.setPeer(9, "127.0.0.1:1");
        GroupMessage app = RecordingHandler.numbered(1, 9, 0, 1, null);
        assertThatThrownBy(() -> n1.sendSnapshot(9, app, source).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a SNAP message");
        assertThatThrownBy(() -> n1.sendSnapshot(9, snapMessage(1, 9), tmp.resolve("missing")).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IOException.class).hasMessageContaining("not a directory");
    }

    @Test
    @DisplayName("peer not listening: the future fails (the leader retries later)")
    void peerNotListening() throws Exception {
        GrpcRaftTransport n2 = node(2, 0, new RecordingHandler(), receiverStaging);
        int port = n2.port();
        n2.close();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        n1.setPeer(2, "127.0.0.1:" + port);

        CompletableFuture<Void> f = n1.sendSnapshot(2, snapMessage(1, 2), writeSnapshot(tmp.resolve("snap")));

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    /**
     * Stalls the receiver of the one snapshot in progress on {@code receiver}: its callbacks are
     * synchronized, so holding its monitor stops it from taking chunks, and gRPC flow control then
     * stops the sender midway through the file.
     */
    private static SnapshotReceiver receptionInProgress(GrpcRaftTransport receiver) {
        // Polled every millisecond: in-process a 48 MB transfer may take less than Awaitility's
        // default 100 ms interval, and a reception that ended unseen would time the test out.
        await().atMost(AWAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> receiver.snapshotReceptions().size() == 1
                && receiver.snapshotReceptions().get(0).stagingDir() != null);
        return receiver.snapshotReceptions().get(0);
    }

    @Test
    @DisplayName("sender closed mid-stream: its future fails, the receiver removes its staging directory; a retry succeeds")
    void senderClosedMidStream() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        GrpcRaftTransport n2 = node(2, 0, h2, receiverStaging);
        n1.setPeer(2, "127.0.0.1:" + n2.port());
        Path source = bigSnapshot(tmp.resolve("big"), 48L << 20);

        CompletableFuture<Void> f = n1.sendSnapshot(2, snapMessage(7, 2), source);
        SnapshotReceiver r = receptionInProgress(n2);
        Path partial = r.stagingDir();
        synchronized (r) {
            assertThat(partial).isDirectory();
            n1.close();
        }

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        await().atMost(AWAIT).until(() -> n2.snapshotReceptions().isEmpty() && !Files.exists(partial));
        assertThat(children(receiverStaging)).isEmpty();
        assertThat(h2.snapshots).isEmpty();

        // The leader retries from the start, from a new incarnation of the sender.
        GrpcRaftTransport again = node(1, 0, new RecordingHandler(), senderStaging);
        again.setPeer(2, "127.0.0.1:" + n2.port());
        again.sendSnapshot(2, snapMessage(7, 2), source).get(30, TimeUnit.SECONDS);
        assertThat(h2.snapshots).hasSize(1);
        assertSameTree(h2.snapshots.get(0).dir(), source);
    }

    @Test
    @DisplayName("receiver stopped mid-stream: the sender's future fails, the staging directory is removed; a retry to the restarted receiver succeeds")
    void receiverStoppedMidStream() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        GrpcRaftTransport n2 = node(2, 0, h2, receiverStaging);
        int port = n2.port();
        n1.setPeer(2, "127.0.0.1:" + port);
        Path source = bigSnapshot(tmp.resolve("big"), 48L << 20);

        CompletableFuture<Void> f = n1.sendSnapshot(2, snapMessage(7, 2), source);
        SnapshotReceiver r = receptionInProgress(n2);
        Path partial = r.stagingDir();
        CompletableFuture<Void> closing;
        synchronized (r) {
            closing = CompletableFuture.runAsync(n2::close);
            // close() marks the reception aborted before it waits for the receiver's lock, so no
            // chunk taken after we let go can complete the transfer.
            await().atMost(AWAIT).until(r::isAborted);
        }
        closing.get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(partial).doesNotExist();
        assertThat(children(receiverStaging)).isEmpty();
        assertThat(h2.snapshots).isEmpty();

        RecordingHandler h2b = new RecordingHandler();
        node(2, port, h2b, receiverStaging);
        n1.sendSnapshot(2, snapMessage(7, 2), source).get(30, TimeUnit.SECONDS);
        assertThat(h2b.snapshots).hasSize(1);
        assertSameTree(h2b.snapshots.get(0).dir(), source);
    }

    @Test
    @DisplayName("cancelling the returned future aborts the transfer and the receiver cleans up")
    void cancelByCaller() throws Exception {
        RecordingHandler h2 = new RecordingHandler();
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), senderStaging);
        GrpcRaftTransport n2 = node(2, 0, h2, receiverStaging);
        n1.setPeer(2, "127.0.0.1:" + n2.port());
        Path source = bigSnapshot(tmp.resolve("big"), 48L << 20);

        CompletableFuture<Void> f = n1.sendSnapshot(2, snapMessage(7, 2), source);
        SnapshotReceiver r = receptionInProgress(n2);
        Path partial = r.stagingDir();
        synchronized (r) {
            assertThat(f.cancel(true)).isTrue();
        }

        await().atMost(AWAIT).until(() -> n2.snapshotReceptions().isEmpty() && !Files.exists(partial));
        assertThat(h2.snapshots).isEmpty();
    }
}
