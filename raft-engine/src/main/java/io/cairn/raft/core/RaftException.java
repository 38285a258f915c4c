package io.cairn.raft.core;

/** Base of the errors the Raft core reports to its caller. Unchecked; cheap (no stack trace by default). */
public class RaftException extends RuntimeException {
    public RaftException(String message) {
        super(message, null, false, false);
    }

    protected RaftException(String message, boolean withStackTrace) {
        super(message, null, false, withStackTrace);
    }
}
