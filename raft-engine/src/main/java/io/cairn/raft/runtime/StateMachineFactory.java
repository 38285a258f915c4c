package io.cairn.raft.runtime;

/** Creates (or reopens) the state machine of a group replica hosted on this node. */
@FunctionalInterface
public interface StateMachineFactory {
    StateMachine open(long groupId);
}
