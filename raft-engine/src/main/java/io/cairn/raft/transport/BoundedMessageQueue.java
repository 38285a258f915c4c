package io.cairn.raft.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbound queue of one peer, bounded by message count and by bytes
 * ({@code Message.sizeBytes()}, an estimate of the wire size). Thread-safe; every operation
 * holds the lock only for O(batch) work, never across I/O.
 *
 * <p>Invariant: {@code size() <= capacityMessages} and {@code bytes() <= capacityBytes}.
 */
final class BoundedMessageQueue {
    private final int capacityMessages;
    private final long capacityBytes;
    private final ArrayDeque<GroupMessage> queue = new ArrayDeque<>();
    private long bytes;

    BoundedMessageQueue(int capacityMessages, long capacityBytes) {
        this.capacityMessages = capacityMessages;
        this.capacityBytes = capacityBytes;
    }

    /** Appends {@code m} if it fits in both bounds; false (and no change) if it does not. */
    synchronized boolean offer(GroupMessage m) {
        long size = m.message().sizeBytes();
        if (queue.size() >= capacityMessages || size > capacityBytes - bytes) {
            return false;
        }
        queue.addLast(m);
        bytes += size;
        return true;
    }

    /**
     * Removes and returns the oldest messages, in order, up to {@code maxMessages} and
     * {@code maxBytes}; at least one message when the queue is not empty, even if that message
     * alone is larger than {@code maxBytes}. Empty when the queue is.
     */
    synchronized List<GroupMessage> pollBatch(int maxMessages, long maxBytes) {
        if (queue.isEmpty()) {
            return List.of();
        }
        List<GroupMessage> batch = new ArrayList<>(Math.min(maxMessages, queue.size()));
        long batchBytes = 0;
        while (!queue.isEmpty() && batch.size() < maxMessages) {
            long size = queue.peekFirst().message().sizeBytes();
            if (!batch.isEmpty() && batchBytes + size > maxBytes) {
                break;
            }
            batch.add(queue.pollFirst());
            batchBytes += size;
        }
        bytes -= batchBytes;
        return batch;
    }

    synchronized boolean isEmpty() {
        return queue.isEmpty();
    }

    synchronized int size() {
        return queue.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    /** Drops everything queued; returns how many messages that was. */
    synchronized int clear() {
        int n = queue.size();
        queue.clear();
        bytes = 0;
        return n;
    }
}
