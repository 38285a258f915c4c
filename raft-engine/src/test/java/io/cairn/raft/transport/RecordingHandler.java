package io.cairn.raft.transport;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A handler that records what it receives; optionally holds deliveries behind a gate. */
final class RecordingHandler implements RaftMessageHandler {

    record ReceivedSnapshot(long fromNode, GroupMessage message, Path dir) {
    }

    private final Map<Long, List<GroupMessage>> byFrom = new ConcurrentHashMap<>();
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    final List<ReceivedSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate;

    /** Deliveries block until {@link #release()} (bounded, so a broken test cannot hang forever). */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    @Override
    public void onMessages(long fromNode, List<GroupMessage> batch) {
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byFrom.computeIfAbsent(fromNode, k -> Collections.synchronizedList(new ArrayList<>())).addAll(batch);
        batchSizes.add(batch.size());
    }

    @Override
    public void onSnapshot(long fromNode, GroupMessage snapMessage, Path receivedDir) {
        snapshots.add(new ReceivedSnapshot(fromNode, snapMessage, receivedDir));
    }

    List<GroupMessage> from(long node) {
        List<GroupMessage> l = byFrom.get(node);
        if (l == null) {
            return List.of();
        }
        synchronized (l) {
            return new ArrayList<>(l);
        }
    }

    int count(long node) {
        List<GroupMessage> l = byFrom.get(node);
        return l == null ? 0 : l.size();
    }

    int totalBatches() {
        return batchSizes.size();
    }

    int maxBatch() {
        synchronized (batchSizes) {
            return batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * Message number {@code seq} from {@code from} to {@code to}: an APP of group
     * {@code seq % groups} whose index is the sequence number, so a receiver can check order.
     */
    static GroupMessage numbered(long from, long to, int seq, int groups, byte[] payload) {
        Message m = Message.builder(MessageType.APP).from(from).to(to).term(1).index(seq).commit(seq)
                .entries(payload == null ? List.of() : List.of(Entry.normal(1, seq + 1, payload)))
                .build();
        return new GroupMessage(seq % groups, m);
    }

    /** The sequence numbers (index) of the messages, in the order received. */
    static List<Long> sequence(List<GroupMessage> messages) {
        List<Long> seqs = new ArrayList<>(messages.size());
        for (GroupMessage m : messages) {
            seqs.add(m.message().index());
        }
        return seqs;
    }
}
