package io.cairn.raft.core;

/** One membership operation on one node. */
public record ConfChangeSingle(ConfChangeType type, long nodeId) {
    public ConfChangeSingle {
        if (type == null) {
            throw new IllegalArgumentException("conf change type is null");
        }
        if (nodeId == 0) {
            throw new IllegalArgumentException("node id 0 is reserved for 'none'");
        }
    }

    public static ConfChangeSingle addVoter(long id) {
        return new ConfChangeSingle(ConfChangeType.ADD_VOTER, id);
    }

    public static ConfChangeSingle addLearner(long id) {
        return new ConfChangeSingle(ConfChangeType.ADD_LEARNER, id);
    }

    public static ConfChangeSingle addObserver(long id) {
        return new ConfChangeSingle(ConfChangeType.ADD_OBSERVER, id);
    }

    public static ConfChangeSingle remove(long id) {
        return new ConfChangeSingle(ConfChangeType.REMOVE_NODE, id);
    }
}
