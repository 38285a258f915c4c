package io.cairn.raft.core;

/**
 * How a configuration change is carried out (Raft thesis §4.3, etcd's ConfChangeV2).
 * The {@link #code()} values are frozen: they are persisted.
 */
public enum ConfChangeTransition {
    /** A single voter change is applied directly; anything more goes through a joint
     *  configuration that the leader leaves by itself. */
    AUTO(0),
    /** Always joint; the leader leaves the joint configuration by itself. */
    JOINT_IMPLICIT(1),
    /** Always joint; the application leaves it by proposing an empty change. */
    JOINT_EXPLICIT(2);

    private final int code;

    ConfChangeTransition(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ConfChangeTransition ofCode(int code) {
        for (ConfChangeTransition t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown conf change transition code: " + code);
    }
}
