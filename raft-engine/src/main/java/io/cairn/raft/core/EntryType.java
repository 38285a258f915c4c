package io.cairn.raft.core;

/** Kind of a log entry. The {@link #code()} values are frozen: they are persisted. */
public enum EntryType {
    NORMAL(0),
    /** Data is a {@link ConfChange} encoded with {@link ConfChange#encode()}. */
    CONF_CHANGE(1);

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static EntryType ofCode(int code) {
        switch (code) {
            case 0:
                return NORMAL;
            case 1:
                return CONF_CHANGE;
            default:
                throw new IllegalArgumentException("unknown entry type code: " + code);
        }
    }
}
