package io.cairn.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cairn.raft.transport.proto.FileChunk;
import io.cairn.raft.transport.proto.FileDigest;
import io.cairn.raft.transport.proto.RaftTransportGrpc;
import io.cairn.raft.transport.proto.SnapshotChunk;
import io.cairn.raft.transport.proto.SnapshotHeader;
import io.cairn.raft.transport.proto.SnapshotResult;
import io.cairn.raft.transport.proto.SnapshotTrailer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiving side of {@code SendSnapshot} against a hand-driven client over TCP: whatever
 * the sender gets wrong, the call fails with a status naming the problem, the staging directory
 * is removed and the handler is not called.
 */
@DisplayName("SnapshotReceiver: protocol violations and broken transfers")
class SnapshotReceiverProtocolTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path staging;

    private final RecordingHandler handler = new RecordingHandler();
    private GrpcRaftTransport receiver;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        receiver = new GrpcRaftTransport(2, "127.0.0.1", 0, handler, GrpcTransportOptions.defaults()
                .withSnapshotStagingDir(staging).withShutdownTimeout(Duration.ofSeconds(2)));
        receiver.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        receiver.close();
    }

    private static SnapshotChunk header() {
        return SnapshotChunk.newBuilder().setHeader(SnapshotHeader.newBuilder().setFromNode(1)
                .setMessage(MessageCodec.toProto(SnapshotTransferTest.snapMessage(5, 2)))).build();
    }

    private static SnapshotChunk chunk(String path, long offset, byte[] data) {
        return SnapshotChunk.newBuilder().setFileChunk(FileChunk.newBuilder().setPath(path).setOffset(offset)
                .setData(ByteString.copyFrom(data))).build();
    }

    private static FileDigest digest(String path, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return FileDigest.newBuilder().setPath(path).setSize(data.length).setCrc32((int) crc.getValue()).build();
    }

    private static SnapshotChunk trailer(int count, long total, FileDigest... files) {
        return SnapshotChunk.newBuilder().setTrailer(SnapshotTrailer.newBuilder().setFileCount(count)
                .setTotalBytes(total).addAllFiles(List.of(files))).build();
    }

    /** Sends {@code chunks} then half-closes; completes with the call's final status. */
    private Status send(SnapshotChunk... chunks) throws Exception {
        CompletableFuture<Status> done = new CompletableFuture<>();
        var requests = RaftTransportGrpc.newStub(channel).sendSnapshot(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(SnapshotResult value) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        });
        for (SnapshotChunk c : chunks) {
            requests.onNext(c);
        }
        requests.onCompleted();
        return done.get(10, TimeUnit.SECONDS);
    }

    private void assertRefusedAndCleaned(Status status, Status.Code code, String text) throws IOException {
        assertThat(status.getCode()).as(status.toString()).isEqualTo(code);
        assertThat(status.getDescription()).contains(text);
        await().atMost(AWAIT).until(() -> receiver.snapshotReceptions().isEmpty());
        try (Stream<Path> s = Files.list(staging)) {
            assertThat(s.toList()).isEmpty();
        }
        assertThat(handler.snapshots).isEmpty();
    }

    private final byte[] data = "0123456789".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("a well-formed transfer by hand is accepted (the baseline for the cases below)")
    void wellFormed() throws Exception {
        Status s = send(header(), chunk("a/b", 0, data), chunk("a/b", 10, data), chunk("c", 0, new byte[0]),
                trailer(2, 20, digest("a/b", (new String(data) + new String(data)).getBytes(StandardCharsets.UTF_8)),
                        digest("c", new byte[0])));
        assertThat(s.isOk()).as(s.toString()).isTrue();
        assertThat(handler.snapshots).hasSize(1);
        Path dir = handler.snapshots.get(0).dir();
        assertThat(Files.readString(dir.resolve("a/b"))).isEqualTo("01234567890123456789");
        assertThat(Files.size(dir.resolve("c"))).isZero();
    }

    @Test
    @DisplayName("a chunk before the header")
    void chunkBeforeHeader() throws Exception {
        assertRefusedAndCleaned(send(chunk("a", 0, data)), Status.Code.INVALID_ARGUMENT, "file chunk out of order");
    }

    @Test
    @DisplayName("a header that does not carry a SNAP message")
    void notSnap() throws Exception {
        SnapshotChunk h = SnapshotChunk.newBuilder().setHeader(SnapshotHeader.newBuilder().setFromNode(1)
                .setMessage(MessageCodec.toProto(RecordingHandler.numbered(1, 2, 0, 1, null)))).build();
        assertRefusedAndCleaned(send(h), Status.Code.INVALID_ARGUMENT, "(expected: SNAP)");
    }

    @Test
    @DisplayName("a gap in a file's offsets")
    void offsetGap() throws Exception {
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), chunk("a", 11, data)), Status.Code.DATA_LOSS,
                "chunk of a at offset 11 (expected: 10)");
    }

    @Test
    @DisplayName("a path escaping the staging directory")
    void unsafePath() throws Exception {
        assertRefusedAndCleaned(send(header(), chunk("../../evil", 0, data)), Status.Code.INVALID_ARGUMENT,
                "unsafe snapshot file path");
        assertThat(staging.getParent().resolve("evil")).doesNotExist();
    }

    @Test
    @DisplayName("a file sent twice")
    void fileTwice() throws Exception {
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), chunk("b", 0, data), chunk("a", 0, data)),
                Status.Code.INVALID_ARGUMENT, "file a sent twice");
    }

    @Test
    @DisplayName("a CRC that does not match the bytes")
    void crcMismatch() throws Exception {
        FileDigest wrong = digest("a", data).toBuilder().setCrc32(12345).build();
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), trailer(1, 10, wrong)), Status.Code.DATA_LOSS,
                "a: received 10 bytes");
    }

    @Test
    @DisplayName("a trailer announcing more files or bytes than arrived")
    void countMismatch() throws Exception {
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), trailer(2, 10, digest("a", data))),
                Status.Code.DATA_LOSS, "trailer announces 2 files");
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), trailer(1, 11, digest("a", data))),
                Status.Code.DATA_LOSS, "11 bytes");
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data), trailer(1, 10, digest("b", data))),
                Status.Code.DATA_LOSS, "trailer names b");
    }

    @Test
    @DisplayName("the stream ends before its trailer")
    void noTrailer() throws Exception {
        assertRefusedAndCleaned(send(header(), chunk("a", 0, data)), Status.Code.DATA_LOSS,
                "ended before its trailer");
    }

    @Test
    @DisplayName("the sender cancels midway: the staging directory that was being filled is removed")
    void senderCancels() throws Exception {
        CompletableFuture<Status> done = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<SnapshotChunk>> call = new CompletableFuture<>();
        RaftTransportGrpc.newStub(channel).sendSnapshot(new ClientResponseObserver<SnapshotChunk, SnapshotResult>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
                call.complete(requestStream);
            }

            @Override
            public void onNext(SnapshotResult value) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        });
        ClientCallStreamObserver<SnapshotChunk> requests = call.get();
        requests.onNext(header());
        requests.onNext(chunk("a", 0, data));
        await().atMost(AWAIT).until(() -> receiver.snapshotReceptions().size() == 1
                && receiver.snapshotReceptions().get(0).stagingDir() != null
                && Files.exists(receiver.snapshotReceptions().get(0).stagingDir().resolve("a")));
        Path partial = receiver.snapshotReceptions().get(0).stagingDir();

        requests.cancel("sender gave up", null);

        assertThat(done.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        await().atMost(AWAIT).until(() -> receiver.snapshotReceptions().isEmpty() && !Files.exists(partial));
        assertThat(handler.snapshots).isEmpty();
    }
}
