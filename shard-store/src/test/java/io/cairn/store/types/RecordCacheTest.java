package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cache's own table (open addressing, backward-shift deletion, CLOCK eviction) against a plain
 * map: whatever it answers is what was last stored, it forgets only to stay within its bound, and
 * its byte count is exactly that of what it holds. RocksKvTest covers it behind the apply path.
 */
class RecordCacheTest {
    private static final long GROUP = 7;
    private static final int OVERHEAD = RecordCache.ENTRY_OVERHEAD;

    private static byte[] meta(int i) {
        return KeyCodec.metaKey(GROUP, ("key:" + i).getBytes(StandardCharsets.UTF_8));
    }

    private static long bytesOf(RecordCache cache) {
        long[] sum = {0};
        cache.forEach((k, v) -> sum[0] += k.length + (v == null ? 0 : v.length) + OVERHEAD);
        return sum[0];
    }

    @Test
    void unboundedItAnswersEveryKeyAsLastStoredThroughGrowthOverwritesAndRangeDrops() {
        RecordCache cache = new RecordCache(Long.MAX_VALUE / 4);
        Map<ByteBuffer, byte[]> model = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 60_000; step++) {
            int k = random.nextInt(5_000);
            byte[] key = meta(k);
            int op = random.nextInt(100);
            if (op < 60) {
                byte[] value = random.nextInt(10) == 0 ? null : ("v" + step).getBytes(StandardCharsets.UTF_8);
                cache.read(key, value);
                model.put(ByteBuffer.wrap(key), value == null ? RecordCache.ABSENT : value);
            } else if (op < 61) {
                byte[] big = new byte[RecordCache.VALUE_LIMIT + 1];
                cache.read(key, big); // not kept, and the key's older entry is gone
                model.remove(ByteBuffer.wrap(key));
            } else if (op < 62) { // a range delete over the keys key:1000.. to key:2000 (byte order)
                byte[] from = meta(1000);
                byte[] to = meta(2000);
                cache.committed(List.<byte[][]>of(new byte[][] {from, to}), Map.of(), new byte[0]);
                model.keySet().removeIf(b -> Arrays.compareUnsigned(b.array(), from) >= 0
                        && Arrays.compareUnsigned(b.array(), to) < 0);
            } else {
                byte[] got = cache.lookup(key);
                byte[] want = model.get(ByteBuffer.wrap(key));
                if (want == null) {
                    assertThat(got).as("step %d key %d", step, k).isNull();
                } else if (want == RecordCache.ABSENT) {
                    assertThat(got).as("step %d key %d", step, k).isSameAs(RecordCache.ABSENT);
                } else {
                    assertThat(got).as("step %d key %d", step, k).isEqualTo(want);
                }
            }
        }
        assertThat(cache.size()).isEqualTo(model.size());
        assertThat(cache.bytes()).isEqualTo(bytesOf(cache));
        for (int k = 0; k < 5_000; k++) { // every key, present or not, after all the shifting
            byte[] want = model.get(ByteBuffer.wrap(meta(k)));
            byte[] got = cache.lookup(meta(k));
            if (want == null) {
                assertThat(got).isNull();
            } else {
                assertThat(got).isEqualTo(want);
            }
        }
    }

    @Test
    void boundedItKeepsWithinItsBytesKeepsWhatItAnswersRightAndPrefersWhatIsUsed() {
        long limit = 200_000;
        RecordCache cache = new RecordCache(limit);
        Map<ByteBuffer, byte[]> model = new HashMap<>();
        List<Integer> hot = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            hot.add(i);
        }
        for (int k = 0; k < 20_000; k++) {
            byte[] value = ("value-" + k).getBytes(StandardCharsets.UTF_8);
            cache.read(meta(k), value);
            model.put(ByteBuffer.wrap(meta(k)), value);
            for (int h : hot) { // used between every two stores: the hand always finds them used
                if (k >= h) {
                    cache.lookup(meta(h));
                }
            }
            assertThat(cache.bytes()).isLessThanOrEqualTo(limit);
        }
        assertThat(cache.bytes()).isEqualTo(bytesOf(cache)).isGreaterThan(limit / 2);
        cache.forEach((k, v) -> assertThat(v).isEqualTo(model.get(ByteBuffer.wrap(k))));
        for (int h : hot) {
            assertThat(cache.lookup(meta(h))).as("hot key %d", h).isEqualTo(model.get(ByteBuffer.wrap(meta(h))));
        }
        byte[] last = meta(19_999);
        assertThat(cache.lookup(last)).as("the latest store is kept").isNotNull();

        int wide = cache.capacity();
        cache.limit(0);
        cache.read(meta(1), "x".getBytes(StandardCharsets.UTF_8));
        assertThat(cache.capacity()).as("the table shrinks with what it holds").isLessThan(wide);
        assertThat(cache.size()).as("a bound below one entry keeps just the latest").isEqualTo(1);
        assertThat(cache.lookup(meta(1))).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        cache.clear();
        assertThat(cache.size()).isZero();
        assertThat(cache.capacity()).isEqualTo(1024);
        assertThat(cache.bytes()).isZero();
        assertThat(cache.lookup(meta(1))).isNull();
    }

    @Test
    void aTableLeftSparseByALowerBoundOrDroppedRangesShrinksAndStillAnswersRight() {
        RecordCache cache = new RecordCache(Long.MAX_VALUE / 4);
        Map<ByteBuffer, byte[]> model = new HashMap<>();
        for (int k = 0; k < 100_000; k++) {
            byte[] value = ("v" + k).getBytes(StandardCharsets.UTF_8);
            cache.read(meta(k), value);
            model.put(ByteBuffer.wrap(meta(k)), value);
        }
        int full = cache.capacity();
        assertThat(full).isGreaterThanOrEqualTo(2 * 100_000);

        // A range dropped (slots migrated away): slots 0 to 14,999, about 92% of the keys.
        byte[] from = KeyCodec.metaSlotPrefix(GROUP, 0);
        byte[] to = KeyCodec.metaSlotPrefix(GROUP, 15_000);
        cache.committed(List.<byte[][]>of(new byte[][] {from, to}), Map.of(), new byte[0]);
        model.keySet().removeIf(b -> Arrays.compareUnsigned(b.array(), from) >= 0
                && Arrays.compareUnsigned(b.array(), to) < 0);
        assertThat(cache.size()).isEqualTo(model.size());
        assertThat(cache.capacity()).isLessThan(full).isLessThanOrEqualTo(8 * cache.size());
        model.forEach((k, v) -> assertThat(cache.lookup(k.array())).isEqualTo(v));

        // The bound lowered to about 1,000 entries: the next write evicts and the table follows.
        cache.limit(1_000L * (OVERHEAD + meta(99_999).length + 6));
        cache.read(meta(0), "new".getBytes(StandardCharsets.UTF_8));
        model.put(ByteBuffer.wrap(meta(0)), "new".getBytes(StandardCharsets.UTF_8));
        assertThat(cache.size()).isBetween(500, 1_200);
        assertThat(cache.capacity()).isLessThanOrEqualTo(8 * cache.size());
        assertThat(cache.bytes()).isEqualTo(bytesOf(cache)).isLessThanOrEqualTo(cache.limit());
        cache.forEach((k, v) -> assertThat(v).isEqualTo(model.get(ByteBuffer.wrap(k))));
        assertThat(cache.lookup(meta(0))).isEqualTo("new".getBytes(StandardCharsets.UTF_8));

        // Growing again works from the smaller table.
        cache.limit(Long.MAX_VALUE / 4);
        for (int k = 0; k < 20_000; k++) {
            cache.read(meta(k), ("w" + k).getBytes(StandardCharsets.UTF_8));
        }
        for (int k = 0; k < 20_000; k++) {
            assertThat(cache.lookup(meta(k))).isEqualTo(("w" + k).getBytes(StandardCharsets.UTF_8));
        }
    }
}
