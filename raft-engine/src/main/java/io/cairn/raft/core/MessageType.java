package io.cairn.raft.core;

/**
 * Kinds of Raft messages. Local messages never leave the node; the others cross the network.
 * The {@link #code()} values are frozen: the transport persists and sends them.
 */
public enum MessageType {
    /** Local: start an election (campaign). */
    HUP(0, true),
    /** Local: tell the leader to broadcast heartbeats. */
    BEAT(1, true),
    /** A proposal, local or forwarded from a follower to the leader. */
    PROP(2, false),
    APP(3, false),
    APP_RESP(4, false),
    VOTE(5, false),
    VOTE_RESP(6, false),
    SNAP(7, false),
    HEARTBEAT(8, false),
    HEARTBEAT_RESP(9, false),
    /** Local: the transport could not reach {@code from}. */
    UNREACHABLE(10, true),
    /** Local: outcome of sending a snapshot to {@code from}; {@code reject} means failure. */
    SNAP_STATUS(11, true),
    /** Local: tell the leader to check that a quorum is still active. */
    CHECK_QUORUM(12, true),
    TRANSFER_LEADER(13, false),
    TIMEOUT_NOW(14, false),
    READ_INDEX(15, false),
    READ_INDEX_RESP(16, false),
    PRE_VOTE(17, false),
    PRE_VOTE_RESP(18, false);

    private static final MessageType[] BY_CODE = new MessageType[19];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean local;

    MessageType(int code, boolean local) {
        this.code = code;
        this.local = local;
    }

    public int code() {
        return code;
    }

    /** True for messages that a node generates for itself and never sends. */
    public boolean isLocal() {
        return local;
    }

    public static MessageType ofCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown message type code: " + code);
        }
        return BY_CODE[code];
    }

    /** Responses are the messages a node answers with; they never start anything on their own. */
    public boolean isResponse() {
        return this == APP_RESP || this == VOTE_RESP || this == HEARTBEAT_RESP
                || this == UNREACHABLE || this == READ_INDEX_RESP || this == PRE_VOTE_RESP;
    }

    /** The response type of a (pre-)vote request. */
    public MessageType voteResponse() {
        switch (this) {
            case VOTE:
                return VOTE_RESP;
            case PRE_VOTE:
                return PRE_VOTE_RESP;
            default:
                throw new IllegalStateException("not a vote message: " + this);
        }
    }
}
