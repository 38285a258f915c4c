package io.cairn.raft.transport;

/**
 * A snapshot of one peer's outbound side, for metrics and tests.
 *
 * @param queuedMessages messages waiting in the peer's queue
 * @param queuedBytes    their size ({@code Message.sizeBytes()})
 * @param sentMessages   messages handed to gRPC since the peer was added (sent is not delivered:
 *                       those in flight when a stream breaks are lost)
 * @param sentBatches    batches handed to gRPC since the peer was added
 * @param refused        messages {@code send} refused because the queue was full, plus messages
 *                       dropped as too large for the receiver
 * @param connected      whether a stream is open and was accepted by the peer, or the peer runs in
 *                       this JVM and takes messages directly
 * @param direct         whether messages go to the peer's transport in this JVM as plain calls (no
 *                       stream; "handed to gRPC" above then means handed to the peer's handler)
 * @param failures       consecutive failed streams (0 once a stream is accepted)
 */
public record PeerStats(int queuedMessages, long queuedBytes, long sentMessages, long sentBatches, long refused,
                        boolean connected, boolean direct, int failures) {
}
