package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A group's data streams out as SST files by key/slot range and installs into another replica. */
class SnapshotRoundTripTest {
    @TempDir
    Path source;
    @TempDir
    Path target;
    @TempDir
    Path snap;

    @Test
    void aSnapshotInstalledOnAnotherReplicaReproducesTheGroupByteForByte() throws Exception {
        long group = 9;
        try (ReplicaFixture src = new ReplicaFixture(source, group, 16 * 1024);
             ReplicaFixture dst = new ReplicaFixture(target, group)) {
            Random r = new Random(1);
            CommandGenerator gen = new CommandGenerator(r, 40);
            long now = 1_900_000_000_000L;
            for (int i = 0; i < 3_000; i++) {
                src.apply(new StoreCommand(1 + r.nextInt(3), i + 1, i, now + i, r.nextLong(), gen.next()));
            }
            for (int i = 0; i < 2_000; i++) {
                src.apply(now, "set", "plain:" + i, "value-" + i, "px", Integer.toString(1_000_000 + i));
            }
            // the target holds stale data of the same group and data of another group
            dst.apply(now, "set", "stale", "x");
            dst.apply(now, "set", "plain:7", "before-install"); // in dst's record cache now
            try (ReplicaFixture other = new ReplicaFixture(target.resolveSibling(target.getFileName() + "-x"), 10)) {
                other.close();
            }
            ShardStateMachine otherGroup = new ShardStateMachine(dst.db, 10);
            otherGroup.apply(List.of(io.cairn.raft.core.Entry.normal(1, 1,
                    StoreCommand.of(now, 1, "set", "kept", "yes").encode())));
            List<String> otherBefore = ReplicaFixture.contents(dst.db, 10);

            long index = src.sm.snapshot(snap);
            assertThat(index).isEqualTo(src.sm.appliedIndex());
            long files;
            try (Stream<Path> s = Files.list(snap)) {
                files = s.filter(p -> p.toString().endsWith(".sst")).count();
            }
            assertThat(files).as("the snapshot is split into many files").isGreaterThan(3);

            dst.sm.installSnapshot(snap, new SnapshotMetadata(index, 1, ConfState.EMPTY));
            assertThat(dst.sm.appliedIndex()).isEqualTo(index);
            assertThat(dst.contents()).isEqualTo(src.contents());
            assertThat(ReplicaFixture.contents(dst.db, 10)).isEqualTo(otherBefore);
            assertThat(dst.sm.read(new byte[][] {"get".getBytes(), "stale".getBytes()})).isEqualTo(Reply.NIL);
            assertThat(dst.sm.read(new byte[][] {"get".getBytes(), "plain:7".getBytes()}))
                    .isEqualTo(new Reply.Bulk("value-7".getBytes(StandardCharsets.UTF_8)));

            // both replicas continue identically from the snapshot
            dst.index = src.index;
            // writes that read the records the install replaced see the snapshot's, not the cached ones
            StoreCommand replacePlain = StoreCommand.of(now + 4_000, 1, "set", "plain:7", "after", "get");
            assertThat(dst.apply(replacePlain)).isEqualTo(src.apply(replacePlain))
                    .isEqualTo(new Reply.Bulk("value-7".getBytes(StandardCharsets.UTF_8)));
            StoreCommand replaceStale = StoreCommand.of(now + 4_000, 1, "set", "stale", "y", "get");
            assertThat(dst.apply(replaceStale)).isEqualTo(src.apply(replaceStale)).isEqualTo(Reply.NIL);
            for (int i = 0; i < 500; i++) {
                StoreCommand c = new StoreCommand(2, 10_000 + i, 9_999 + i, now + 5_000 + i, r.nextLong(), gen.next());
                assertThat(dst.apply(c)).isEqualTo(src.apply(c));
            }
            assertThat(dst.contents()).isEqualTo(src.contents());
        }
    }
}
