package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.store.types.Reply;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ShardStateMachine#measure}: what a group leader reports to the meta service (issue 5:
 * heartbeats carry the sizes of the groups) and the gateways show in INFO keyspace.
 */
class GroupMeasureTest {
    @TempDir
    Path dir;

    @Test
    void countsLiveKeysOfEveryTypeAndThoseWithATtlAsDbsizeDoes() {
        long now = 1_000_000;
        try (ReplicaFixture f = new ReplicaFixture(dir, 7)) {
            assertThat(f.sm.measure(now, () -> false)).isEqualTo(new ShardStateMachine.Size(0, 0, 0, 0));
            f.apply(now, "set", "s", "v");
            f.apply(now, "hset", "h", "f1", "a", "f2", "b");
            f.apply(now, "rpush", "l", "x", "y", "z");
            f.apply(now, "sadd", "st", "m");
            f.apply(now, "zadd", "z", "1", "m");
            f.apply(now, "set", "ttl-long", "v", "ex", "3600");
            f.apply(now, "set", "ttl-short", "v", "px", "10");
            f.apply(now, "pexpire", "h", "100000");

            ShardStateMachine.Size at = f.sm.measure(now, () -> false);
            assertThat(at.keys()).isEqualTo(7);
            assertThat(at.expires()).isEqualTo(3); // ttl-long, ttl-short, h
            assertThat(at.appliedIndex()).isEqualTo(f.index);
            assertThat(at.bytes()).isPositive(); // at least the memtable's share

            // ttl-short has passed but is not deleted yet: not counted (as DBSIZE)
            ShardStateMachine.Size later = f.sm.measure(now + 10, () -> false);
            assertThat(later.keys()).isEqualTo(6);
            assertThat(later.expires()).isEqualTo(2);

            f.apply(now, "del", "s", "l");
            assertThat(f.sm.measure(now, () -> false).keys()).isEqualTo(5);
            f.apply(now, "flushall");
            ShardStateMachine.Size empty = f.sm.measure(now, () -> false);
            assertThat(empty.keys()).isZero();
            assertThat(empty.expires()).isZero();
        }
    }

    @Test
    void agreesWithDbsize() {
        long now = System.currentTimeMillis();
        try (ReplicaFixture f = new ReplicaFixture(dir, 7)) {
            f.apply(now, "mset", "a", "1", "b", "2", "c", "3");
            f.apply(now, "expire", "a", "3600");
            f.apply(now, "sadd", "s", "x");
            ShardStateMachine.Size size = f.sm.measure(System.currentTimeMillis(), () -> false);
            assertThat(f.sm.read(new byte[][] {"dbsize".getBytes()})).isEqualTo(new Reply.Int(size.keys()));
            assertThat(size.keys()).isEqualTo(4);
            assertThat(size.expires()).isEqualTo(1);
        }
    }

    @Test
    void onlyTheGroupsOwnKeysAreCounted() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 7)) {
            ShardStateMachine other = new ShardStateMachine(f.db, 8);
            f.apply(1, "set", "a", "1");
            f.apply(1, "set", "b", "2");
            assertThat(f.sm.measure(1, () -> false).keys()).isEqualTo(2);
            assertThat(other.measure(1, () -> false).keys()).isZero();
        }
    }

    @Test
    void aCountStopsWhenCancelled() {
        try (ReplicaFixture f = new ReplicaFixture(dir, 7)) {
            String[] mset = new String[1 + 2 * 5000];
            mset[0] = "mset";
            for (int i = 0; i < 5000; i++) {
                mset[1 + 2 * i] = "k" + i;
                mset[2 + 2 * i] = "v";
            }
            f.apply(1, mset);
            assertThat(f.sm.measure(1, () -> false).keys()).isEqualTo(5000);
            assertThatThrownBy(() -> f.sm.measure(1, () -> true)).isInstanceOf(CancellationException.class);
        }
    }
}
