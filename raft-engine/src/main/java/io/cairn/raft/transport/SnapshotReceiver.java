package io.cairn.raft.transport;

import com.google.protobuf.ByteString;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.transport.proto.FileChunk;
import io.cairn.raft.transport.proto.FileDigest;
import io.cairn.raft.transport.proto.SnapshotChunk;
import io.cairn.raft.transport.proto.SnapshotHeader;
import io.cairn.raft.transport.proto.SnapshotResult;
import io.cairn.raft.transport.proto.SnapshotTrailer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one snapshot ({@code SendSnapshot} call) into a fresh staging directory.
 *
 * <p>Each chunk is written to its file as it arrives, so memory stays at about one chunk (gRPC
 * asks for the next message only when {@code onNext} returned). The trailer is checked against
 * what was written (file count, total bytes, size and CRC-32 per file); only then is the
 * directory handed to the handler, which owns it from that moment. On anything else — a broken
 * call, a chunk out of order, an unsafe path, a mismatch, an I/O error, the transport closing —
 * the staging directory is deleted and the call fails, so the sender retries from scratch.
 *
 * <p>Methods are synchronized: gRPC serializes the callbacks of one call, and {@link #abort}
 * comes from the closing thread.
 */
final class SnapshotReceiver implements StreamObserver<SnapshotChunk> {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);

    private enum Stage { AWAIT_HEADER, FILES, DONE, FAILED }

    private final long localNode;
    private final Path stagingRoot;
    private final RaftMessageHandler handler;
    private final StreamObserver<SnapshotResult> responses;
    private final Consumer<SnapshotReceiver> onFinished;

    private volatile boolean aborted;
    private Stage stage = Stage.AWAIT_HEADER;
    private long fromNode;
    private GroupMessage snapMessage;
    private Path stagingDir;
    private final Map<String, FileDigest> received = new HashMap<>();
    private String currentPath;
    private FileChannel current;
    private long currentSize;
    private final CRC32 crc = new CRC32();

    SnapshotReceiver(long localNode, Path stagingRoot, RaftMessageHandler handler,
                     StreamObserver<SnapshotResult> responses, Consumer<SnapshotReceiver> onFinished) {
        this.localNode = localNode;
        this.stagingRoot = stagingRoot;
        this.handler = handler;
        this.responses = responses;
        this.onFinished = onFinished;
    }

    /** The staging directory while receiving (null before the header); for tests. */
    synchronized Path stagingDir() {
        return stagingDir;
    }

    /** Whether {@link #abort} was called; for tests. */
    boolean isAborted() {
        return aborted;
    }

    @Override
    public synchronized void onNext(SnapshotChunk chunk) {
        if (stage == Stage.DONE || stage == Stage.FAILED) {
            return;
        }
        if (aborted) {
            fail(Status.UNAVAILABLE.withDescription("receiver shutting down"));
            return;
        }
        try {
            switch (chunk.getKindCase()) {
                case HEADER:
                    onHeader(chunk.getHeader());
                    break;
                case FILE_CHUNK:
                    expect(Stage.FILES, "file chunk");
                    onFileChunk(chunk.getFileChunk());
                    break;
                case TRAILER:
                    expect(Stage.FILES, "trailer");
                    onTrailer(chunk.getTrailer());
                    break;
                default:
                    throw Status.INVALID_ARGUMENT.withDescription("empty snapshot chunk").asRuntimeException();
            }
        } catch (StatusRuntimeException e) {
            fail(e.getStatus());
        } catch (IOException e) {
            fail(Status.INTERNAL.withDescription("cannot store snapshot: " + e).withCause(e));
        } catch (RuntimeException e) {
            fail(Status.INTERNAL.withDescription("snapshot receiver failed: " + e).withCause(e));
        }
    }

    private void onHeader(SnapshotHeader h) throws IOException {
        expect(Stage.AWAIT_HEADER, "header");
        GroupMessage m;
        try {
            m = MessageCodec.fromProto(h.getMessage());
        } catch (IllegalArgumentException e) {
            throw Status.INVALID_ARGUMENT.withDescription("bad SNAP message: " + e.getMessage()).asRuntimeException();
        }
        if (m.message().type() != MessageType.SNAP) {
            throw Status.INVALID_ARGUMENT.withDescription("snapshot header carries " + m.message().type()
                    + " (expected: SNAP)").asRuntimeException();
        }
        fromNode = h.getFromNode();
        snapMessage = m;
        Files.createDirectories(stagingRoot);
        stagingDir = Files.createTempDirectory(stagingRoot,
                "node" + localNode + "-from" + fromNode + "-group" + m.groupId() + "-");
        stage = Stage.FILES;
    }

    private void onFileChunk(FileChunk c) throws IOException {
        String path = c.getPath();
        if (!path.equals(currentPath)) {
            finishFile();
            openFile(path);
        }
        if (c.getOffset() != currentSize) {
            throw Status.DATA_LOSS.withDescription("chunk of " + path + " at offset " + c.getOffset()
                    + " (expected: " + currentSize + ")").asRuntimeException();
        }
        ByteString data = c.getData();
        for (ByteBuffer b : data.asReadOnlyByteBufferList()) {
            crc.update(b.duplicate());
            while (b.hasRemaining()) {
                current.write(b);
            }
        }
        currentSize += data.size();
    }

    private void openFile(String path) throws IOException {
        if (received.containsKey(path)) {
            throw Status.INVALID_ARGUMENT.withDescription("file " + path + " sent twice").asRuntimeException();
        }
        Path target = resolveSafely(stagingDir, path);
        Files.createDirectories(target.getParent());
        current = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        currentPath = path;
        currentSize = 0;
        crc.reset();
    }

    /**
     * {@code relative} resolved under {@code root}, refusing anything that could land elsewhere:
     * absolute paths, backslashes, and empty, "." or ".." segments.
     */
    static Path resolveSafely(Path root, String relative) {
        boolean ok = !relative.isEmpty() && !relative.startsWith("/") && relative.indexOf('\\') < 0
                && relative.indexOf('\0') < 0;
        if (ok) {
            for (String segment : relative.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    ok = false;
                    break;
                }
            }
        }
        Path target = ok ? root.resolve(relative).normalize() : null;
        if (target == null || !target.startsWith(root) || target.equals(root)) {
            throw Status.INVALID_ARGUMENT.withDescription("unsafe snapshot file path: '" + relative + "'")
                    .asRuntimeException();
        }
        return target;
    }

    private void finishFile() throws IOException {
        if (current == null) {
            return;
        }
        // Durable before the handler may install it.
        current.force(false);
        current.close();
        current = null;
        received.put(currentPath, FileDigest.newBuilder().setPath(currentPath).setSize(currentSize)
                .setCrc32((int) crc.getValue()).build());
        currentPath = null;
    }

    private void onTrailer(SnapshotTrailer t) throws IOException {
        finishFile();
        long total = received.values().stream().mapToLong(FileDigest::getSize).sum();
        if (t.getFileCount() != received.size() || t.getFilesCount() != received.size()
                || t.getTotalBytes() != total) {
            throw Status.DATA_LOSS.withDescription("trailer announces " + t.getFileCount() + " files ("
                    + t.getFilesCount() + " digests), " + t.getTotalBytes() + " bytes; received "
                    + received.size() + " files, " + total + " bytes").asRuntimeException();
        }
        Set<String> seen = new HashSet<>();
        for (FileDigest expected : t.getFilesList()) {
            FileDigest got = received.get(expected.getPath());
            if (got == null || !seen.add(expected.getPath())) {
                throw Status.DATA_LOSS.withDescription("trailer names " + expected.getPath()
                        + ", which was not received (or is named twice)").asRuntimeException();
            }
            if (got.getSize() != expected.getSize() || got.getCrc32() != expected.getCrc32()) {
                throw Status.DATA_LOSS.withDescription(String.format(
                        "%s: received %d bytes, crc32 %08x (expected: %d bytes, crc32 %08x)", expected.getPath(),
                        got.getSize(), got.getCrc32(), expected.getSize(), expected.getCrc32())).asRuntimeException();
            }
        }
        // Verified: from here on the directory belongs to the handler.
        stage = Stage.DONE;
        try {
            handler.onSnapshot(fromNode, snapMessage, stagingDir);
        } catch (RuntimeException e) {
            LOG.warn("snapshot handler failed for group {} from node {}", snapMessage.groupId(), fromNode, e);
            stage = Stage.FAILED;
            deleteStaging();
            finish();
            responses.onError(Status.INTERNAL.withDescription("snapshot handler failed: " + e).asRuntimeException());
            return;
        }
        finish();
        stagingDir = null; // the handler owns it now: nothing on this side may delete it
        try {
            responses.onNext(SnapshotResult.newBuilder().setFileCount(received.size()).setTotalBytes(total).build());
            responses.onCompleted();
        } catch (RuntimeException e) {
            LOG.debug("could not answer a completed snapshot transfer (the call is gone)", e);
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        // The sender cancelled or the connection broke: there is nobody left to answer.
        if (stage != Stage.DONE && stage != Stage.FAILED) {
            LOG.info("snapshot from node {} broke off: {}", fromNode, Status.fromThrowable(t));
            discard();
        }
    }

    @Override
    public synchronized void onCompleted() {
        if (stage != Stage.DONE && stage != Stage.FAILED) {
            fail(Status.DATA_LOSS.withDescription("snapshot stream ended before its trailer"));
        }
    }

    /**
     * The transport is closing: discard what was received and fail the call. The flag is set
     * before taking the lock, so a chunk being written now is the last one: the transfer cannot
     * complete after abort() was called.
     */
    void abort() {
        aborted = true;
        synchronized (this) {
            if (stage != Stage.DONE && stage != Stage.FAILED) {
                fail(Status.UNAVAILABLE.withDescription("receiver shutting down"));
            }
        }
    }

    private void expect(Stage expected, String what) {
        if (stage != expected) {
            throw Status.INVALID_ARGUMENT.withDescription(what + " out of order (stage " + stage + ")")
                    .asRuntimeException();
        }
    }

    private void fail(Status status) {
        LOG.info("refusing snapshot from node {}: {}", fromNode, status);
        discard();
        try {
            responses.onError(status.asRuntimeException());
        } catch (RuntimeException e) {
            // the call is already closed
        }
    }

    private void discard() {
        stage = Stage.FAILED;
        deleteStaging();
        finish();
    }

    private void finish() {
        onFinished.accept(this);
    }

    private void deleteStaging() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // being deleted anyway
            }
            current = null;
        }
        if (stagingDir != null) {
            try {
                deleteRecursively(stagingDir);
            } catch (IOException e) {
                LOG.warn("cannot delete snapshot staging directory {}", stagingDir, e);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
