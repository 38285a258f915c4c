package io.cairn.raft.core.tracker;

import java.util.Arrays;

/**
 * Flow control for one follower: the appends sent but not yet acknowledged, each as the index of
 * its last entry and its byte size, in a ring buffer. A caller checks {@link #full()} before
 * sending, calls {@link #add} for each append sent (with increasing indexes) and {@link #freeLE}
 * when an acknowledgement arrives.
 *
 * <p>The count limit is hard; the byte limit is soft: one append may take the total from below the
 * limit to at or above it. The backing arrays grow lazily (doubling, capped at the count limit),
 * as in etcd, because a process may host many groups with mostly idle followers.
 */
public final class Inflights {

    private static final long[] NONE = new long[0];

    private final int maxCount;
    private final long maxBytes;

    /** Position of the oldest in-flight append in the ring. */
    private int start;
    private int count;
    private long bytes;
    private long[] indexes = NONE;
    private long[] sizes = NONE;

    /**
     * @param maxCount the maximum number of appends in flight (0 means always full)
     * @param maxBytes the soft maximum of in-flight bytes; 0 means no byte limit
     */
    public Inflights(int maxCount, long maxBytes) {
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0: " + maxCount);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /**
     * Records an append whose last entry has {@code index}, of {@code bytes} bytes.
     *
     * @throws IllegalStateException if {@link #full()}
     */
    public void add(long index, long bytes) {
        if (full()) {
            throw new IllegalStateException("cannot add into a full inflights");
        }
        int next = start + count;
        if (next >= maxCount) {
            next -= maxCount;
        }
        if (next >= indexes.length) {
            grow();
        }
        indexes[next] = index;
        sizes[next] = bytes;
        count++;
        this.bytes += bytes;
    }

    /**
     * Doubles the buffers, up to {@code maxCount}. Ring positions are taken modulo {@code maxCount},
     * not modulo the buffer length, and the ring only wraps once the buffer has reached
     * {@code maxCount}, so copying the prefix keeps every entry at its position.
     */
    private void grow() {
        int newSize = indexes.length * 2;
        if (newSize == 0) {
            newSize = 1;
        } else if (newSize > maxCount) {
            newSize = maxCount;
        }
        indexes = Arrays.copyOf(indexes, newSize);
        sizes = Arrays.copyOf(sizes, newSize);
    }

    /** Frees the appends whose index is {@code <= to}. */
    public void freeLE(long to) {
        if (count == 0 || to < indexes[start]) {
            return;
        }
        int idx = start;
        int i;
        long freed = 0;
        for (i = 0; i < count; i++) {
            if (to < indexes[idx]) {
                break;
            }
            freed += sizes[idx];
            if (++idx >= maxCount) {
                idx -= maxCount;
            }
        }
        count -= i;
        bytes -= freed;
        start = idx;
        if (count == 0) {
            // Empty: restart at the front so the buffer does not grow needlessly.
            start = 0;
        }
    }

    /** Whether no more appends may be sent now. */
    public boolean full() {
        return count == maxCount || (maxBytes > 0 && bytes >= maxBytes);
    }

    /** The number of appends in flight. */
    public int count() {
        return count;
    }

    /** The bytes in flight. */
    public long bytes() {
        return bytes;
    }

    public int maxCount() {
        return maxCount;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Forgets all appends in flight. */
    public void reset() {
        start = 0;
        count = 0;
        bytes = 0;
    }

    /** A deep copy sharing no state with this one. */
    public Inflights copy() {
        Inflights c = new Inflights(maxCount, maxBytes);
        c.start = start;
        c.count = count;
        c.bytes = bytes;
        c.indexes = indexes.clone();
        c.sizes = sizes.clone();
        return c;
    }

    // --- for tests in this package ---

    int start() {
        return start;
    }

    int capacity() {
        return indexes.length;
    }

    /** The in-flight indexes, oldest first. */
    long[] indexes() {
        long[] out = new long[count];
        for (int i = 0, idx = start; i < count; i++) {
            out[i] = indexes[idx];
            if (++idx >= maxCount) {
                idx -= maxCount;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Inflights{count=" + count + "/" + maxCount + ", bytes=" + bytes + "/" + maxBytes
                + ", indexes=" + Arrays.toString(indexes()) + "}";
    }
}
