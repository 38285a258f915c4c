package io.cairn.raft.runtime;

/**
 * Creates (or reopens) the state machine of a group replica hosted on this node. Called on the
 * group's Raft worker thread, so calls for different groups may run concurrently.
 */
@FunctionalInterface
public interface StateMachineFactory {
    StateMachine open(long groupId);
}
