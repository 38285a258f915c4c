package io.cairn.raft.core;

import java.util.List;

/** Test helper: a LogStorage that forwards to a MemoryStorage. */
public class LogStorageDelegate implements LogStorage {
    private final MemoryStorage memory;

    public LogStorageDelegate(MemoryStorage memory) {
        this.memory = memory;
    }

    public MemoryStorage memory() {
        return memory;
    }

    @Override
    public InitialState initialState() {
        return memory.initialState();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        return memory.entries(lo, hi, maxSizeBytes);
    }

    @Override
    public long term(long index) {
        return memory.term(index);
    }

    @Override
    public long firstIndex() {
        return memory.firstIndex();
    }

    @Override
    public long lastIndex() {
        return memory.lastIndex();
    }

    @Override
    public Snapshot snapshot() {
        return memory.snapshot();
    }
}
