package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TTL: absolute ms, invisible at once, reclaimed by leader-proposed deletions (active expiry). */
class ActiveExpiryTest {
    @TempDir
    Path dir;

    private static byte[][] argv(String... a) {
        byte[][] r = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i].getBytes(StandardCharsets.UTF_8);
        }
        return r;
    }

    @Test
    void expiredKeysAreInvisibleAtOnceAndReclaimedByTheExpiredCommand() {
        long now = System.currentTimeMillis();
        try (ReplicaFixture f = new ReplicaFixture(dir, 5)) {
            // relative times become absolute with the entry's time: PX 50 at `now`
            f.apply(now, "set", "short", "v", "px", "50");
            f.apply(now, "set", "long", "v", "ex", "3600");
            f.apply(now, "set", "forever", "v");
            assertThat(f.sm.expiredKeys(now + 49, 10)).isEmpty();
            List<byte[]> due = f.sm.expiredKeys(now + 50, 10);
            assertThat(due).hasSize(1);
            assertThat(new String(due.get(0), StandardCharsets.UTF_8)).isEqualTo("short");
            // reads use the replica's clock: once the time has passed the key is gone for reads
            // even before the deletion is applied
            await(now + 60);
            assertThat(f.sm.read(argv("get", "short"))).isEqualTo(Reply.NIL);
            assertThat(f.sm.read(argv("exists", "short"))).isEqualTo(Reply.ZERO);
            int before = f.contents().size();
            // the leader proposes the deletion; apply re-checks expiry with the entry's time
            List<String> args = new ArrayList<>(List.of(ShardStateMachine.EXPIRED, "short", "long"));
            Reply r = f.apply(now + 60, args.toArray(String[]::new));
            assertThat(r).isEqualTo(Reply.ONE); // "long" has not expired and stays
            assertThat(f.contents()).hasSize(before - 2); // meta record and expiry index entry
            assertThat(f.sm.expiredKeys(Long.MAX_VALUE - 1, 10)).hasSize(1);
            assertThat(f.sm.read(argv("get", "long"))).isEqualTo(new Reply.Bulk("v".getBytes()));
        }
    }

    @Test
    void aKeyRewrittenWithoutTtlIsNotDeletedByAStaleExpiredCommand() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 5)) {
            f.apply(1_000, "set", "k", "v1", "px", "10");
            f.apply(1_005, "set", "k", "v2");
            assertThat(f.apply(2_000, ShardStateMachine.EXPIRED, "k")).isEqualTo(Reply.ZERO);
            assertThat(f.sm.read(argv("get", "k"))).isEqualTo(new Reply.Bulk("v2".getBytes()));
            assertThat(f.contents()).noneMatch(l -> l.startsWith(
                    java.util.HexFormat.of().formatHex(KeyCodec.kindPrefix(5, KeyCodec.KIND_EXPIRE))));
        }
    }

    private static void await(long at) {
        while (System.currentTimeMillis() < at) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
