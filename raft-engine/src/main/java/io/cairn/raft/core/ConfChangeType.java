package io.cairn.raft.core;

/** One membership operation. The {@link #code()} values are frozen: they are persisted. */
public enum ConfChangeType {
    ADD_VOTER(0),
    REMOVE_NODE(1),
    ADD_LEARNER(2),
    /** Add a BW-Raft observer: a learner that serves ReadIndex reads and is never promoted. */
    ADD_OBSERVER(3);

    private final int code;

    ConfChangeType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ConfChangeType ofCode(int code) {
        for (ConfChangeType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown conf change type code: " + code);
    }
}
