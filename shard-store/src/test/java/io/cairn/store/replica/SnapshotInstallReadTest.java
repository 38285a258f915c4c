package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads running on the read pool while the apply thread installs a snapshot. */
class SnapshotInstallReadTest {
    @TempDir
    Path source;
    @TempDir
    Path target;
    @TempDir
    Path snap;

    @Test
    void aReadDuringSnapshotInstallSeesTheOldOrTheNewStateOrIsRefusedNeverAnEmptyGroup() throws Exception {
        long group = 4;
        try (ReplicaFixture src = new ReplicaFixture(source, group, 256 * 1024);
             ReplicaFixture dst = new ReplicaFixture(target, group)) {
            long now = 1_900_000_000_000L;
            String big = "v".repeat(1000);
            for (int i = 0; i < 20_000; i++) {
                src.apply(now, "set", "k" + i, big);
            }
            src.apply(now, "set", "small", "new"); // short: a record the cache keeps
            // the replica holds an older state of the group with the keys the reads look at
            dst.apply(now, "set", "k7", big);
            dst.apply(now, "set", "small", "old"); // in dst's record cache, which reads peek at
            long index = src.sm.snapshot(snap);
            byte[][] get = {"get".getBytes(StandardCharsets.UTF_8), "k7".getBytes(StandardCharsets.UTF_8)};
            Reply expected = new Reply.Bulk(big.getBytes(StandardCharsets.UTF_8));
            AtomicBoolean done = new AtomicBoolean();
            List<Reply> wrong = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            byte[][] getSmall = {"get".getBytes(StandardCharsets.UTF_8), "small".getBytes(StandardCharsets.UTF_8)};
            Reply oldSmall = new Reply.Bulk("old".getBytes(StandardCharsets.UTF_8));
            Reply newSmall = new Reply.Bulk("new".getBytes(StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> {
                boolean sawNew = false; // every install puts in the same snapshot: "old" never comes back
                while (!done.get()) {
                    try {
                        Reply r = dst.sm.read(get);
                        if (!r.equals(expected)) {
                            wrong.add(r);
                        }
                        Reply small = dst.sm.read(getSmall);
                        if (small.equals(newSmall)) {
                            sawNew = true;
                        } else if (!small.equals(oldSmall) || sawNew) {
                            wrong.add(small);
                        }
                    } catch (IllegalStateException e) {
                        // "installing a snapshot; retry": allowed, the caller answers outcome unknown
                        refused.incrementAndGet();
                    }
                }
            });
            reader.start();
            for (int round = 0; round < 5; round++) {
                dst.sm.installSnapshot(snap, new SnapshotMetadata(index, 1, ConfState.EMPTY));
            }
            done.set(true);
            reader.join();
            assertThat(wrong).isEmpty();
            // once installed, the cached "old" is gone: reads see the snapshot's record
            assertThat(dst.sm.read(getSmall)).isEqualTo(newSmall);
        }
    }
}
