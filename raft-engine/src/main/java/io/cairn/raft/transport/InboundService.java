package io.cairn.raft.transport;

import io.cairn.raft.transport.proto.MessageBatch;
import io.cairn.raft.transport.proto.RaftTransportGrpc;
import io.cairn.raft.transport.proto.SnapshotChunk;
import io.cairn.raft.transport.proto.SnapshotResult;
import io.cairn.raft.transport.proto.StreamAck;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the transport: hands incoming batches to the handler in the order they
 * arrive on each stream, and receives snapshots through {@link SnapshotReceiver}.
 *
 * <p>gRPC delivers the messages of one call one at a time and asks the client for the next only
 * after {@code onNext} returned, so a slow handler slows the sender down through HTTP/2 flow
 * control (and the sender's queue fills) instead of piling up memory here.
 */
final class InboundService extends RaftTransportGrpc.RaftTransportImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(InboundService.class);

    private final long localNode;
    private final RaftMessageHandler handler;
    private final Path stagingRoot;
    private final Set<InboundStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<SnapshotReceiver> receivers = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    InboundService(long localNode, RaftMessageHandler handler, Path stagingRoot) {
        this.localNode = localNode;
        this.handler = handler;
        this.stagingRoot = stagingRoot;
    }

    @Override
    public StreamObserver<MessageBatch> stream(StreamObserver<StreamAck> responseObserver) {
        InboundStream s = new InboundStream((ServerCallStreamObserver<StreamAck>) responseObserver);
        streams.add(s);
        if (closing) {
            s.complete();
        } else {
            s.accept();
        }
        return s;
    }

    @Override
    public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotResult> responseObserver) {
        SnapshotReceiver r = new SnapshotReceiver(localNode, stagingRoot, handler, responseObserver, receivers::remove);
        receivers.add(r);
        if (closing) {
            r.abort();
        }
        return r;
    }

    long localNode() {
        return localNode;
    }

    /** Whether {@link #closeAll} was called: co-located senders go back to their streams (which fail). */
    boolean closing() {
        return closing;
    }

    /**
     * Hands a batch to the handler: a stream's received batch ({@code onNext}), or one from a
     * co-located sender, called on its thread as a plain method (no gRPC call).
     */
    void deliver(long fromNode, List<GroupMessage> batch) {
        try {
            handler.onMessages(fromNode, batch);
        } catch (RuntimeException e) {
            LOG.warn("message handler failed on a batch of {} from node {}", batch.size(), fromNode, e);
        }
    }

    /** Receivers of snapshots in progress; for tests. */
    List<SnapshotReceiver> receiversInProgress() {
        return new ArrayList<>(receivers);
    }

    /**
     * Ends every inbound call: message streams are completed (the peers reconnect later, to
     * whoever listens then), snapshots in progress are discarded and failed.
     */
    void closeAll() {
        closing = true;
        for (InboundStream s : streams) {
            s.complete();
        }
        for (SnapshotReceiver r : receivers) {
            r.abort();
        }
    }

    /** One {@code Stream} call from a peer. */
    private final class InboundStream implements StreamObserver<MessageBatch> {
        private final ServerCallStreamObserver<StreamAck> responses;
        private boolean done; // guarded by this

        InboundStream(ServerCallStreamObserver<StreamAck> responses) {
            this.responses = responses;
            responses.setOnCancelHandler(() -> streams.remove(this));
        }

        synchronized void accept() {
            if (!done) {
                responses.onNext(StreamAck.newBuilder().setNodeId(localNode).build());
            }
        }

        @Override
        public void onNext(MessageBatch batch) {
            List<GroupMessage> messages = new ArrayList<>(batch.getMessagesCount());
            for (io.cairn.raft.transport.proto.GroupMessage p : batch.getMessagesList()) {
                try {
                    messages.add(MessageCodec.fromProto(p));
                } catch (IllegalArgumentException e) {
                    // A message this version cannot represent: drop it alone (Raft tolerates loss).
                    LOG.warn("dropping an undecodable message of group {} from node {}: {}", p.getGroupId(),
                            batch.getFromNode(), e.getMessage());
                }
            }
            if (!messages.isEmpty()) {
                deliver(batch.getFromNode(), messages);
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            done = true;
            streams.remove(this);
        }

        @Override
        public void onCompleted() {
            complete();
        }

        synchronized void complete() {
            streams.remove(this);
            if (!done) {
                done = true;
                try {
                    responses.onCompleted();
                } catch (RuntimeException e) {
                    // already cancelled
                }
            }
        }
    }
}
