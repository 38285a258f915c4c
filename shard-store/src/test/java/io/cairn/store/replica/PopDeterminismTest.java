package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Meta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * DESIGN.md rule 2 for the pop paths (docs/storage-format.md, "Live bounds"): sorted-set bounds
 * and set rewrites under fresh versions are decided from the records alone, so two replicas fed
 * the same pop-heavy log in different batches reply alike and hold byte-identical data.
 */
class PopDeterminismTest {
    @TempDir
    Path a;
    @TempDir
    Path b;

    static byte[][] argv(List<String> args) {
        byte[][] out = new byte[args.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = args.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    static List<String> args(String... xs) {
        return new ArrayList<>(List.of(xs));
    }

    @Test
    void popHeavyLogGivesByteIdenticalReplicas() throws RocksDBException {
        Random r = new Random(77);
        List<byte[][]> commands = new ArrayList<>();
        for (String key : List.of("s1", "s2")) {
            for (int i = 0; i < 600; i += 50) {
                List<String> c = args("sadd", key);
                for (int j = i; j < i + 50; j++) {
                    c.add("member:" + (j * 7919 % 100_000));
                }
                commands.add(argv(c));
            }
        }
        int setsCreatedAt = commands.size(); // the sets exist from these entries on
        for (int i = 0; i < 3000; i++) {
            String set = r.nextBoolean() ? "s1" : "s2";
            List<String> c = switch (r.nextInt(12)) {
                case 0 -> args("sadd", set, "member:" + r.nextInt(100_000));
                case 1 -> args("spop", set, Integer.toString(r.nextInt(4)));
                case 2 -> args("srem", set, "member:" + (r.nextInt(600) * 7919 % 100_000));
                case 3 -> args("smove", set, "{s1}x", "member:" + (r.nextInt(600) * 7919 % 100_000));
                case 4 -> args("zadd", "z", Integer.toString(r.nextInt(100)), "m" + r.nextInt(300));
                case 5 -> args("zincrby", "z", Integer.toString(r.nextInt(21) - 10), "m" + r.nextInt(300));
                case 6 -> args(r.nextBoolean() ? "zpopmin" : "zpopmax", "z", Integer.toString(r.nextInt(3)));
                case 7 -> args(r.nextBoolean() ? "lpush" : "rpush", "l", "v" + i, "w" + i);
                case 8 -> args(r.nextBoolean() ? "lpop" : "rpop", "l");
                default -> args("spop", set);
            };
            commands.add(argv(c));
        }
        try (ReplicaFixture left = new ReplicaFixture(a, 3); ReplicaFixture right = new ReplicaFixture(b, 3)) {
            List<Entry> log = new ArrayList<>();
            long now = 1_800_000_000_000L;
            for (byte[][] c : commands) {
                now += r.nextInt(5);
                log.add(left.entry(new StoreCommand(0, 0, 0, now, r.nextLong(), c)));
            }
            List<Object> leftReplies = new ArrayList<>(left.sm.apply(log));
            List<Object> rightReplies = new ArrayList<>();
            Random batches = new Random(9);
            for (int i = 0; i < log.size(); ) {
                int n = Math.min(log.size() - i, 1 + batches.nextInt(40));
                rightReplies.addAll(right.sm.apply(log.subList(i, i + n)));
                i += n;
            }
            assertThat(rightReplies).isEqualTo(leftReplies);
            assertThat(right.contents()).isEqualTo(left.contents());
            // the sets were rewritten under fresh versions (removals outnumbered members)
            for (String key : List.of("s1", "s2")) {
                byte[] record = left.db.rocks().get(KeyCodec.metaKey(3, key.getBytes(StandardCharsets.UTF_8)));
                assertThat(record).as(key).isNotNull();
                Meta m = Meta.decode(record);
                assertThat(m.count).as(key).isPositive();
                assertThat(m.version >>> 16).as(key).isGreaterThan(setsCreatedAt);
            }
        }
    }
}
