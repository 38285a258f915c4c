package io.cairn.raft.core;

/** Volatile state worth telling the application about; never persisted. */
public record SoftState(long lead, StateType raftState) {
}
