package io.cairn.store.replica;

import io.cairn.raft.runtime.StateMachine;
import io.cairn.raft.runtime.StateMachineFactory;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.RecordCache;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the state machine of each group hosted on a node, all over the node's one {@link DataDb},
 * and shares the node's record cache budget among them: each group's {@link RecordCache} may hold
 * the budget divided by the number of open groups, at most {@link RecordCache#DEFAULT_BYTES} and
 * at least {@link #MIN_RECORD_CACHE_BYTES} (so a node hosting thousands of groups stays near its
 * budget instead of thousands times one group's bound).
 */
public final class ShardStateMachines implements StateMachineFactory {
    /** The node's record cache budget, shared by its groups. */
    public static final long RECORD_CACHE_BUDGET = 64L << 20;
    /** The least a group's record cache may hold, however many groups share the budget. */
    static final long MIN_RECORD_CACHE_BYTES = 64L << 10;

    private final DataDb db;
    private final long recordCacheBudget;
    private final Map<Long, ShardStateMachine> open = new ConcurrentHashMap<>();

    public ShardStateMachines(DataDb db) {
        this(db, RECORD_CACHE_BUDGET);
    }

    ShardStateMachines(DataDb db, long recordCacheBudget) {
        this.db = db;
        this.recordCacheBudget = recordCacheBudget;
    }

    @Override
    public StateMachine open(long groupId) {
        ShardStateMachine sm = new ShardStateMachine(db, groupId);
        open.put(groupId, sm);
        shareRecordCacheBudget();
        return sm;
    }

    /** Record cache lookups answered from the cache, over the groups open now (metrics). */
    public long recordCacheHits() {
        return open.values().stream().mapToLong(ShardStateMachine::recordCacheHits).sum();
    }

    /** Record cache lookups that went to RocksDB, over the groups open now (metrics). */
    public long recordCacheMisses() {
        return open.values().stream().mapToLong(ShardStateMachine::recordCacheMisses).sum();
    }

    private synchronized void shareRecordCacheBudget() {
        int groups = Math.max(1, open.size());
        long share = Math.max(MIN_RECORD_CACHE_BYTES, Math.min(RecordCache.DEFAULT_BYTES, recordCacheBudget / groups));
        for (ShardStateMachine sm : open.values()) {
            sm.recordCacheLimit(share);
        }
    }

    /** The state machine of a group opened on this node, or null. */
    public ShardStateMachine get(long groupId) {
        return open.get(groupId);
    }

    /**
     * Deletes a group's whole key range (data, applied index, sessions) from the data RocksDB,
     * for a replica this node no longer hosts: once the group's state machine, if one is open, is
     * closed (the runtime closes it on the apply thread after its last apply when the group is
     * destroyed). Also called before a replica is created, so a replica never starts from data
     * a crash left behind between destroying a group and deleting its range.
     */
    public CompletableFuture<Void> deleteGroupData(long groupId) {
        ShardStateMachine sm = open.remove(groupId);
        if (sm != null) {
            shareRecordCacheBudget();
        }
        CompletableFuture<Void> closed = sm == null ? CompletableFuture.completedFuture(null) : sm.closed();
        return closed.orTimeout(30, TimeUnit.SECONDS).thenRun(() -> {
            try {
                db.rocks().deleteRange(KeyCodec.groupPrefix(groupId), KeyCodec.groupEnd(groupId));
            } catch (RocksDBException e) {
                throw new IllegalStateException("group " + groupId + ": deleting its key range failed", e);
            }
        });
    }

    public DataDb db() {
        return db;
    }
}
