package io.cairn.store.replica;

import io.cairn.raft.runtime.StateMachine;
import io.cairn.raft.runtime.StateMachineFactory;
import java.util.Map;
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

    public DataDb db() {
        return db;
    }
}
