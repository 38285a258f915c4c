package io.cairn.raft.core;

import java.util.Arrays;

/**
 * One Raft log entry. Immutable: {@code data} must not be modified after construction.
 *
 * @param term  term of the leader that created the entry
 * @param index position in the log, starting at 1
 * @param type  normal data or a configuration change
 * @param data  opaque payload; an empty array for the empty entry a new leader appends
 */
public record Entry(long term, long index, EntryType type, byte[] data) {

    /** Fixed per-entry overhead counted by {@link #sizeBytes()} (term, index, type, length). */
    public static final int OVERHEAD_BYTES = 24;

    private static final byte[] EMPTY = new byte[0];

    public Entry {
        if (type == null) {
            throw new IllegalArgumentException("entry type is null");
        }
        if (data == null) {
            data = EMPTY;
        }
    }

    public static Entry normal(long term, long index, byte[] data) {
        return new Entry(term, index, EntryType.NORMAL, data);
    }

    /** An entry with a payload but no position yet, as handed to {@code propose}. */
    public static Entry proposal(EntryType type, byte[] data) {
        return new Entry(0, 0, type, data);
    }

    public Entry withPosition(long newTerm, long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    /** Bytes of payload; what the uncommitted-size cap counts. */
    public long payloadSize() {
        return data.length;
    }

    /** Approximate wire size; what message size limits and flow control count. */
    public long sizeBytes() {
        return data.length + OVERHEAD_BYTES;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Entry)) {
            return false;
        }
        Entry e = (Entry) o;
        return term == e.term && index == e.index && type == e.type && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(term) * 31 + Long.hashCode(index) * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Entry{" + term + "/" + index + (type == EntryType.NORMAL ? "" : " " + type)
                + " " + data.length + "B}";
    }
}
