package io.cairn.store.replica;

import io.cairn.raft.runtime.StateMachine;
import io.cairn.raft.runtime.StateMachineFactory;
import io.cairn.store.types.KeyCodec;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import java.util.concurrent.ConcurrentHashMap;

/** Opens the state machine of each group hosted on a node, all over the node's one {@link DataDb}. */
public final class ShardStateMachines implements StateMachineFactory {
    private final DataDb db;
    private final Map<Long, ShardStateMachine> open = new ConcurrentHashMap<>();

    public ShardStateMachines(DataDb db) {
        this.db = db;
    }

    @Override
    public StateMachine open(long groupId) {
        ShardStateMachine sm = new ShardStateMachine(db, groupId);
        open.put(groupId, sm);
        return sm;
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
