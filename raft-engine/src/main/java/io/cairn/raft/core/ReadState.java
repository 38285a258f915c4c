package io.cairn.raft.core;

/**
 * The answer to a ReadIndex request: once the application has applied up to {@code index}, a read
 * made at that point reflects every write committed before the request was made (Raft thesis §6.4).
 *
 * @param index      commit index at the leader when the request was confirmed
 * @param requestCtx the context the request was made with (unique per request)
 */
public record ReadState(long index, byte[] requestCtx) {
}
