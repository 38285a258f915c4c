package io.cairn.raft.transport;

import static io.cairn.raft.transport.RecordingHandler.numbered;
import static io.cairn.raft.transport.RecordingHandler.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link GrpcRaftTransportTest} with the in-process path off: every call over Netty and TCP; plus
 * the HTTP/2 flow-control case, which exists only there (in-process the stream's handler runs on
 * the sender's drain thread — it must not block, RaftMessageHandler's contract — so a handler
 * that blocks, as this one, stalls that thread instead).
 */
@DisplayName("GrpcRaftTransport over Netty (in-process off)")
@ExtendWith(InProcessOff.class)
class GrpcRaftTransportNettyTest extends GrpcRaftTransportTest {

    @Override
    boolean expectDirect() {
        return false;
    }

    @Test
    @DisplayName("a slow receiver stalls the stream (HTTP/2 flow control); the sender's queue fills and refuses, then drains in order")
    void slowReceiverBoundsTheSender() {
        RecordingHandler h2 = new RecordingHandler();
        int capacity = 200;
        GrpcRaftTransport n1 = node(1, 0, new RecordingHandler(), options().withQueueCapacity(capacity, 64L << 20));
        GrpcRaftTransport n2 = node(2, h2);
        n1.setPeer(2, addr(n2));
        byte[] payload = new byte[8 * 1024];
        // A warm stream first, so what follows is flow control and not a connect in progress.
        assertThat(n1.send(2, numbered(1, 2, 0, 16, payload))).isTrue();
        await().atMost(AWAIT).until(() -> h2.count(1) == 1);
        h2.hold();

        // Keep offering 20k × 8 KiB (160 MiB, well under a second over loopback if nothing pushed
        // back), retrying refusals, until nothing was accepted for 300 ms.
        int limit = 20_000;
        int accepted = 1;
        long lastProgress = System.nanoTime();
        while (accepted < limit && System.nanoTime() - lastProgress < 300_000_000L) {
            if (n1.send(2, numbered(1, 2, accepted, 16, payload))) {
                accepted++;
                lastProgress = System.nanoTime();
            } else {
                Thread.onSpinWait();
            }
        }
        int stuckAt = accepted;
        PeerStats stalled = n1.peerStats(2);
        assertThat(stuckAt).isLessThan(limit);
        assertThat(stalled.connected()).isTrue();
        assertThat(stalled.refused()).isGreaterThanOrEqualTo(1);
        assertThat(stalled.queuedMessages()).isEqualTo(capacity);
        // gRPC took what its flow-control windows and the socket buffers hold, then stopped taking.
        assertThat(stalled.sentMessages()).isEqualTo(stuckAt - capacity);
        assertThat(stalled.sentMessages() * payload.length).isLessThan(48L << 20);

        h2.release();
        await().atMost(AWAIT).until(() -> h2.count(1) == stuckAt);
        assertThat(sequence(h2.from(1))).isEqualTo(upTo(stuckAt));
        assertThat(n1.peerStats(2).queuedMessages()).isZero();
    }
}
