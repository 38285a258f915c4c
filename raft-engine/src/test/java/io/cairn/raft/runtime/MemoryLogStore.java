package io.cairn.raft.runtime;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import io.cairn.raft.core.MemoryStorage;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.storage.GroupLogStorage;
import io.cairn.raft.storage.LogWriteBatch;
import io.cairn.raft.storage.RaftLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Test double of the durable store: MemoryStorage per group, "durable" at once (unless a test
 * {@link #hold() holds} writes back). Lets runtime logic be tested without disks; the real RocksDB
 * store is exercised by its own tests.
 */
final class MemoryLogStore implements RaftLogStore {
    private final Map<Long, Group> groups = new ConcurrentHashMap<>();
    final AtomicLong commits = new AtomicLong();

    static final class Group extends io.cairn.raft.core.LogStorageDelegate implements GroupLogStorage {
        final long id;

        Group(long id, MemoryStorage s) {
            super(s);
            this.id = id;
        }

        @Override
        public long groupId() {
            return id;
        }

        @Override
        public SnapshotMetadata snapshotMetadata() {
            return memory().snapshot().metadata();
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(snapshotMetadata(), null);
        }
    }

    @Override
    public Set<Long> groups() {
        return Set.copyOf(groups.keySet());
    }

    @Override
    public CompletableFuture<GroupLogStorage> createGroup(long groupId, ConfState founding) {
        Group g = new Group(groupId, MemoryStorage.withMembers(founding));
        if (groups.putIfAbsent(groupId, g) != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("group exists"));
        }
        return CompletableFuture.completedFuture(g);
    }

    @Override
    public GroupLogStorage group(long groupId) {
        return groups.get(groupId);
    }

    @Override
    public CompletableFuture<Void> destroyGroup(long groupId) {
        groups.remove(groupId);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public LogWriteBatch newBatch() {
        return new Batch();
    }

    /** Writes held back by {@link #hold()}, in commit order, with the futures they complete. */
    private final List<Map.Entry<Batch, CompletableFuture<Void>>> held = new ArrayList<>();
    private boolean holding;
    private boolean holdingCommitIndexes;

    @Override
    public synchronized CompletableFuture<Void> commit(LogWriteBatch batch) {
        commits.incrementAndGet();
        if (holding || (holdingCommitIndexes && movesCommitIndexesOnly((Batch) batch))) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(Map.entry((Batch) batch, f));
            return f;
        }
        apply((Batch) batch);
        return CompletableFuture.completedFuture(null);
    }

    private void apply(Batch batch) {
        for (Consumer<MemoryLogStore> op : batch.ops) {
            op.accept(this);
        }
    }

    /** From now on writes are accepted but neither applied nor completed (a very slow fsync). */
    synchronized void hold() {
        holding = true;
    }

    /**
     * From now on writes of nothing but commit-index changes (hard states keeping the stored term
     * and vote, which RocksLogStore writes without an fsync) are held back; others go through.
     */
    synchronized void holdCommitIndexWrites() {
        holdingCommitIndexes = true;
    }

    /** How many writes are held back. */
    synchronized int heldWrites() {
        return held.size();
    }

    private boolean movesCommitIndexesOnly(Batch batch) {
        if (batch.ops.size() != batch.hardStates.size()) {
            return false;
        }
        for (Map.Entry<Long, HardState> e : batch.hardStates) {
            if (!e.getValue().sameTermAndVote(mem(e.getKey()).initialState().hardState())) {
                return false;
            }
        }
        return !batch.ops.isEmpty();
    }

    /** How many entries of {@code groupId} the held writes append. */
    synchronized int heldEntries(long groupId) {
        int n = 0;
        for (Map.Entry<Batch, CompletableFuture<Void>> e : held) {
            n += e.getKey().appended.getOrDefault(groupId, 0);
        }
        return n;
    }

    /** Applies and completes the held writes in order, and stops holding. */
    void release() {
        List<Map.Entry<Batch, CompletableFuture<Void>>> out;
        synchronized (this) {
            holding = false;
            holdingCommitIndexes = false;
            out = new ArrayList<>(held);
            held.clear();
            out.forEach(e -> apply(e.getKey()));
        }
        out.forEach(e -> e.getValue().complete(null)); // outside the lock: callbacks may commit again
    }

    @Override
    public void close() {
    }

    private MemoryStorage mem(long groupId) {
        return groups.get(groupId).memory();
    }

    private static final class Batch implements LogWriteBatch {
        final List<Consumer<MemoryLogStore>> ops = new ArrayList<>();
        final Map<Long, Integer> appended = new java.util.HashMap<>();
        final List<Map.Entry<Long, HardState>> hardStates = new ArrayList<>();

        @Override
        public LogWriteBatch append(long groupId, List<Entry> entries) {
            List<Entry> copy = List.copyOf(entries);
            appended.merge(groupId, copy.size(), Integer::sum);
            ops.add(s -> s.mem(groupId).append(copy));
            return this;
        }

        @Override
        public LogWriteBatch setHardState(long groupId, HardState hardState) {
            hardStates.add(Map.entry(groupId, hardState));
            ops.add(s -> s.mem(groupId).setHardState(hardState));
            return this;
        }

        @Override
        public LogWriteBatch setSnapshot(long groupId, SnapshotMetadata metadata, boolean discardLog) {
            ops.add(s -> {
                MemoryStorage m = s.mem(groupId);
                if (discardLog) {
                    m.applySnapshot(new Snapshot(metadata, null));
                } else if (metadata.index() > m.snapshot().index()) {
                    m.createSnapshot(metadata.index(), metadata.confState(), null);
                }
            });
            return this;
        }

        @Override
        public LogWriteBatch compact(long groupId, long index) {
            ops.add(s -> {
                MemoryStorage m = s.mem(groupId);
                if (index >= m.firstIndex()) {
                    m.compact(index);
                }
            });
            return this;
        }

        @Override
        public boolean isEmpty() {
            return ops.isEmpty();
        }

        @Override
        public long sizeBytes() {
            return ops.size();
        }
    }
}
