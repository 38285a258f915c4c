package io.cairn.raft.storage;

import io.cairn.raft.core.Entry;

/**
 * The most recent entries of one group: a contiguous run {@code [firstIndex(), lastIndex()]}
 * that always ends at the group's last index (when not empty). New entries go on at the back,
 * a conflicting suffix is cut from the back, old entries are evicted from the front.
 *
 * <p>A ring buffer, so evicting one entry or appending one is O(1). Not thread-safe: guarded by
 * the owning group's monitor.
 */
final class EntryCache {

    private Entry[] ring = new Entry[16];
    private int head;
    private int size;
    private long bytes;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Sum of {@link Entry#sizeBytes()} of the cached entries. */
    long bytes() {
        return bytes;
    }

    /** Index of the oldest cached entry; meaningless when empty. */
    long firstIndex() {
        return ring[head].index();
    }

    long lastIndex() {
        return ring[(head + size - 1) & (ring.length - 1)].index();
    }

    /** Whether {@code index} is cached. */
    boolean contains(long index) {
        return size > 0 && index >= firstIndex() && index <= lastIndex();
    }

    /** The entry at {@code index}, which must be {@linkplain #contains(long) cached}. */
    Entry get(long index) {
        long off = index - firstIndex();
        return ring[(int) ((head + off) & (ring.length - 1))];
    }

    /**
     * Appends entries that continue the cached run, or replace part of it: cached entries at or after
     * the first new index are dropped first. If the new entries start before the cached run (or the
     * cache is empty) the cache restarts with them.
     */
    void append(java.util.List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long start = entries.get(0).index();
        if (size > 0) {
            if (start < firstIndex() || start > lastIndex() + 1) {
                clear();
            } else {
                truncateFrom(start);
            }
        }
        for (Entry e : entries) {
            if (size == ring.length) {
                grow();
            }
            ring[(head + size) & (ring.length - 1)] = e;
            size++;
            bytes += e.sizeBytes();
        }
    }

    /** Drops cached entries with index {@code >= index}. */
    void truncateFrom(long index) {
        while (size > 0 && lastIndex() >= index) {
            int tail = (head + size - 1) & (ring.length - 1);
            bytes -= ring[tail].sizeBytes();
            ring[tail] = null;
            size--;
        }
    }

    /** Drops cached entries with index {@code <= index}. */
    void dropThrough(long index) {
        while (size > 0 && firstIndex() <= index) {
            evictFirst();
        }
    }

    /** Drops the oldest entry. */
    void evictFirst() {
        bytes -= ring[head].sizeBytes();
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
    }

    void clear() {
        if (ring.length > 1024) {
            ring = new Entry[16]; // don't pin a big array for a group that went quiet
        } else {
            java.util.Arrays.fill(ring, null);
        }
        head = 0;
        size = 0;
        bytes = 0;
    }

    private void grow() {
        Entry[] bigger = new Entry[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }
}
