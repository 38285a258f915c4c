package io.cairn.raft.storage;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.MemoryStorage;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates random writes for one group, applies each to a {@link MemoryStorage} model at once,
 * and returns it as a {@link Step} to replay on a {@link LogWriteBatch}, with the error the store
 * must answer if the model refused it. Mostly valid writes, some invalid ones: gaps, stale
 * compactions and snapshots, snapshots beyond the log.
 */
final class RandomLogDriver {

    static final ConfState FOUNDING = ConfState.ofVoters(1L, 2L, 3L);

    private static final List<ConfState> CONF_STATES = List.of(
            FOUNDING,
            new ConfState(Set.of(1L, 2L, 4L), Set.of(1L, 2L, 3L), Set.of(5L, 6L), Set.of(3L), Set.of(6L), true),
            new ConfState(Set.of(1L, 2L, 3L, 4L, 5L), Set.of(), Set.of(9L), Set.of(), Set.of(), false));

    /**
     * One write.
     *
     * @param description for assertion messages
     * @param write       adds the write to a batch
     * @param error       the answer ({@link LogViews#answer}) the store's commit must give, or null
     *                    if the write is valid
     */
    record Step(String description, Consumer<LogWriteBatch> write, Object error) {
    }

    final long groupId;
    final MemoryStorage model = MemoryStorage.withMembers(FOUNDING);
    private final Random rnd;
    private final boolean validOnly;
    private long term = 1;

    RandomLogDriver(long groupId, Random rnd, boolean validOnly) {
        this.groupId = groupId;
        this.rnd = rnd;
        this.validOnly = validOnly;
    }

    Step next() {
        while (true) {
            Step s = pick();
            if (s != null && (!validOnly || s.error() == null)) {
                return s;
            }
        }
    }

    private Step pick() {
        long first = model.firstIndex();
        long last = model.lastIndex();
        long snap = model.snapshot().index();
        int r = rnd.nextInt(100);
        if (r < 50) {
            // mostly at the end; sometimes overwrite a suffix, start below the first index, or leave a gap
            long start = rnd.nextInt(100) < 60 ? last + 1 : Math.max(1, first - 2 + rnd.nextInt((int) (last - first + 5)));
            if (rnd.nextInt(8) == 0) {
                term++;
            }
            List<Entry> entries = entries(start, rnd.nextInt(6));
            return step("append " + entries, b -> b.append(groupId, entries), () -> model.append(entries));
        }
        if (r < 60) {
            HardState hs = new HardState(term, rnd.nextInt(4), rnd.nextInt((int) last + 1));
            return step("hard state " + hs, b -> b.setHardState(groupId, hs), () -> model.setHardState(hs));
        }
        if (r < 75) {
            long index = Math.max(0, snap - 1 + rnd.nextInt((int) Math.max(1, last - snap + 3)));
            ConfState cs = CONF_STATES.get(rnd.nextInt(CONF_STATES.size()));
            SnapshotMetadata[] meta = {new SnapshotMetadata(index, term, cs)};
            return step("take snapshot " + index, b -> b.setSnapshot(groupId, meta[0], false),
                    () -> meta[0] = model.createSnapshot(index, cs, null).metadata());
        }
        if (r < 82) {
            long index = Math.max(0, snap - 1 + rnd.nextInt((int) Math.max(1, last - snap + 6)));
            term += rnd.nextInt(2);
            SnapshotMetadata meta = new SnapshotMetadata(index, term,
                    CONF_STATES.get(rnd.nextInt(CONF_STATES.size())));
            return step("install snapshot " + meta, b -> b.setSnapshot(groupId, meta, true),
                    () -> model.applySnapshot(new Snapshot(meta, null)));
        }
        long offset = first - 1;
        long index = Math.max(0, offset - 1 + rnd.nextInt((int) (snap - offset + 3)));
        if (index > offset && index <= last && index > snap) {
            // MemoryStorage would compact past its snapshot; this store's contract refuses it
            return new Step("compact " + index + " beyond snapshot " + snap, b -> b.compact(groupId, index),
                    "throws IllegalArgumentException");
        }
        return step("compact " + index, b -> b.compact(groupId, index), () -> model.compact(index));
    }

    private Step step(String description, Consumer<LogWriteBatch> write, Runnable applyToModel) {
        Object error = LogViews.answer(() -> {
            applyToModel.run();
            return null;
        });
        return new Step(description, write, error);
    }

    private List<Entry> entries(long start, int n) {
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(120)];
            rnd.nextBytes(data);
            EntryType type = rnd.nextInt(10) == 0 ? EntryType.CONF_CHANGE : EntryType.NORMAL;
            out.add(new Entry(term, start + i, type, data));
        }
        return out;
    }
}
