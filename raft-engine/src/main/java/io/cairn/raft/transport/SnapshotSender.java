package io.cairn.raft.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.cairn.raft.transport.proto.FileChunk;
import io.cairn.raft.transport.proto.FileDigest;
import io.cairn.raft.transport.proto.SnapshotChunk;
import io.cairn.raft.transport.proto.SnapshotHeader;
import io.cairn.raft.transport.proto.SnapshotResult;
import io.cairn.raft.transport.proto.SnapshotTrailer;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Streams one snapshot: the header, then every file in chunks, then the trailer with a CRC-32
 * per file. Files are read incrementally, one chunk at a time, and only while the call is ready
 * (gRPC flow control), so memory on the sender stays at about one chunk whatever the size of the
 * snapshot. The future completes when the receiver has stored everything and handed it to its
 * handler, and completes exceptionally on any failure; there is no resume, a retry starts over.
 */
final class SnapshotSender implements ClientResponseObserver<SnapshotChunk, SnapshotResult> {

    private enum Stage { HEADER, FILES, TRAILER, DONE }

    private final SnapshotHeader header;
    private final Path dir;
    private final List<String> files;
    private final int chunkBytes;
    private final CompletableFuture<Void> result = new CompletableFuture<>();

    // Guarded by this (pump runs on gRPC's callback threads, cancel on any thread).
    private ClientCallStreamObserver<SnapshotChunk> requests;
    private Stage stage = Stage.HEADER;
    private int fileIndex;
    private FileChannel current;
    private boolean currentSentChunk;
    private long offset;
    private final CRC32 crc = new CRC32();
    private final List<FileDigest> digests = new ArrayList<>();
    private long totalBytes;
    private boolean finished; // nothing more to send: completed, cancelled or failed
    private boolean callClosed; // gRPC reported the end of the call
    private SnapshotResult response;

    SnapshotSender(long localNode, GroupMessage snapMessage, Path dir, List<String> files, int chunkBytes) {
        this.header = SnapshotHeader.newBuilder()
                .setFromNode(localNode)
                .setMessage(MessageCodec.toProto(snapMessage))
                .build();
        this.dir = dir;
        this.files = List.copyOf(files);
        this.chunkBytes = chunkBytes;
    }

    /**
     * Every regular file under {@code dir} (symbolic links are not followed), as relative,
     * '/'-separated paths in sorted order.
     */
    static List<String> listFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString().replace(dir.getFileSystem().getSeparator(), "/"))
                    .sorted()
                    .toList();
        }
    }

    CompletableFuture<Void> result() {
        return result;
    }

    /**
     * Aborts the transfer; the receiver discards what it got and the future fails (unless it
     * already completed). Before the call started, only the future fails: cancel again once it
     * started.
     */
    synchronized void cancel(String why) {
        if (requests != null && !callClosed) {
            requests.cancel(why, null);
        }
        fail(new IOException("snapshot transfer cancelled: " + why));
    }

    @Override
    public synchronized void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
        this.requests = requestStream;
        requestStream.setOnReadyHandler(this::pump);
    }

    /** Sends chunks while the call is ready; gRPC calls it again when it is ready once more. */
    private synchronized void pump() {
        if (finished) {
            return;
        }
        try {
            while (requests.isReady()) {
                SnapshotChunk next = nextChunk();
                if (next == null) {
                    requests.onCompleted();
                    finished = true;
                    return;
                }
                requests.onNext(next);
                if (stage == Stage.TRAILER) {
                    stage = Stage.DONE;
                    // The trailer went out: half-close now. A large trailer can leave the call not
                    // ready, and waiting for onReady would end with the receiver answering first
                    // and the transfer reported as failed although it was installed.
                    requests.onCompleted();
                    finished = true;
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            requests.cancel("cannot read snapshot: " + e, e);
            fail(e);
        }
    }

    /** The next message of the transfer, or null once the trailer was returned. */
    private SnapshotChunk nextChunk() throws IOException {
        switch (stage) {
            case HEADER:
                stage = Stage.FILES;
                return SnapshotChunk.newBuilder().setHeader(header).build();
            case FILES:
                while (fileIndex < files.size()) {
                    SnapshotChunk chunk = nextFileChunk(files.get(fileIndex));
                    if (current == null) {
                        fileIndex++; // that file is finished and digested
                    }
                    if (chunk != null) {
                        return chunk;
                    }
                }
                stage = Stage.TRAILER;
                return SnapshotChunk.newBuilder().setTrailer(SnapshotTrailer.newBuilder()
                        .setFileCount(digests.size())
                        .setTotalBytes(totalBytes)
                        .addAllFiles(digests)).build();
            case TRAILER:
                stage = Stage.DONE;
                return null;
            default:
                return null;
        }
    }

    /**
     * The next chunk of {@code path}, reading at most one chunk from the file; null if nothing
     * is left to send of it. The file is finished (digested, closed, {@code current == null})
     * once its end was seen.
     */
    private SnapshotChunk nextFileChunk(String path) throws IOException {
        if (current == null) {
            current = FileChannel.open(dir.resolve(path), StandardOpenOption.READ);
            currentSentChunk = false;
            offset = 0;
            crc.reset();
        }
        // One byte more than what is left, so the end of the file is usually seen in the same
        // read as its last bytes (no extra empty chunk).
        long left = Math.max(0, current.size() - offset);
        byte[] buf = new byte[(int) Math.min(chunkBytes, left + 1)];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        boolean eof = false;
        while (bb.hasRemaining()) {
            if (current.read(bb) < 0) {
                eof = true;
                break;
            }
        }
        int n = bb.position();
        SnapshotChunk chunk = null;
        // An empty file still gets one (empty) chunk, so that the receiver creates it.
        if (n > 0 || !currentSentChunk) {
            crc.update(buf, 0, n);
            chunk = SnapshotChunk.newBuilder().setFileChunk(FileChunk.newBuilder()
                    .setPath(path)
                    .setOffset(offset)
                    .setData(UnsafeByteOperations.unsafeWrap(buf, 0, n))).build();
            offset += n;
            currentSentChunk = true;
        }
        if (eof) {
            // What was sent is what the trailer vouches for, even if the file changed meanwhile.
            current.close();
            current = null;
            digests.add(FileDigest.newBuilder().setPath(path).setSize(offset).setCrc32((int) crc.getValue()).build());
            totalBytes += offset;
        }
        return chunk;
    }

    @Override
    public synchronized void onNext(SnapshotResult value) {
        response = value;
    }

    @Override
    public synchronized void onError(Throwable t) {
        callClosed = true;
        fail(t);
    }

    @Override
    public synchronized void onCompleted() {
        callClosed = true;
        closeFile();
        if (response != null && stage == Stage.DONE) {
            result.complete(null);
        } else {
            fail(new IOException("snapshot receiver ended the call without a result"));
        }
    }

    private void fail(Throwable t) {
        finished = true;
        closeFile();
        result.completeExceptionally(t);
    }

    private void closeFile() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
            current = null;
        }
    }
}
