package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryCacheTest {

    private static List<Entry> entries(long term, long from, int n) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Entry.normal(term, from + i, new byte[(int) (from + i) % 7]));
        }
        return out;
    }

    private static long bytes(List<Entry> es) {
        return es.stream().mapToLong(Entry::sizeBytes).sum();
    }

    @Test
    void appendsGrowsAndWrapsAround() {
        EntryCache c = new EntryCache();
        assertThat(c.isEmpty()).isTrue();
        c.append(entries(1, 1, 10));
        for (int i = 0; i < 5; i++) {
            c.evictFirst();
        }
        c.append(entries(1, 11, 40)); // wraps, then grows past the initial capacity
        assertThat(c.firstIndex()).isEqualTo(6);
        assertThat(c.lastIndex()).isEqualTo(50);
        assertThat(c.size()).isEqualTo(45);
        for (long i = 6; i <= 50; i++) {
            assertThat(c.get(i).index()).isEqualTo(i);
        }
        assertThat(c.bytes()).isEqualTo(bytes(entries(1, 6, 45)));
        assertThat(c.contains(5)).isFalse();
        assertThat(c.contains(51)).isFalse();
    }

    @Test
    void overwritingCutsTheSuffix() {
        EntryCache c = new EntryCache();
        c.append(entries(1, 1, 10));
        c.append(entries(2, 4, 2));
        assertThat(c.lastIndex()).isEqualTo(5);
        assertThat(c.get(3).term()).isEqualTo(1);
        assertThat(c.get(4).term()).isEqualTo(2);
        assertThat(c.bytes()).isEqualTo(bytes(entries(1, 1, 3)) + bytes(entries(2, 4, 2)));
    }

    @Test
    void appendingBeforeOrAfterTheRunRestartsIt() {
        EntryCache c = new EntryCache();
        c.append(entries(1, 10, 5));
        c.append(entries(2, 3, 2)); // before the cached run: the run restarts there
        assertThat(c.firstIndex()).isEqualTo(3);
        assertThat(c.lastIndex()).isEqualTo(4);
        c.append(entries(3, 9, 1)); // not contiguous: restart
        assertThat(c.firstIndex()).isEqualTo(9);
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.bytes()).isEqualTo(bytes(entries(3, 9, 1)));
    }

    @Test
    void dropThroughAndClear() {
        EntryCache c = new EntryCache();
        c.append(entries(1, 1, 2000));
        c.dropThrough(1500);
        assertThat(c.firstIndex()).isEqualTo(1501);
        c.truncateFrom(1900);
        assertThat(c.lastIndex()).isEqualTo(1899);
        c.clear();
        assertThat(c.isEmpty()).isTrue();
        assertThat(c.bytes()).isZero();
        c.append(entries(1, 7, 1));
        assertThat(c.get(7).index()).isEqualTo(7);
    }
}
