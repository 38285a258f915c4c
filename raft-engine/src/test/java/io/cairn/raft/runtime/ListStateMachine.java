package io.cairn.raft.runtime;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test state machine: the list of applied payloads (as strings). The result of applying an entry
 * is its position in the list. Snapshots are one file with one payload per line.
 */
final class ListStateMachine implements StateMachine {
    /** One apply call: its first and last index, bytes of entry data, and the thread that ran it. */
    record Batch(long first, long last, long bytes, String thread) {
    }

    final List<String> values = new ArrayList<>();
    final List<Batch> batches = new ArrayList<>();
    private volatile long applied;
    volatile int installs;

    /** Batches with more bytes than this take {@link #slowMillis} before applying (tests of apply order). */
    volatile long slowOverBytes = Long.MAX_VALUE;
    volatile long slowMillis;
    private final java.util.concurrent.atomic.AtomicInteger applying = new java.util.concurrent.atomic.AtomicInteger();
    /** Set if two apply calls ever overlapped (the runtime promises one at a time). */
    volatile boolean overlapped;

    @Override
    public List<Object> apply(List<Entry> entries) {
        if (applying.incrementAndGet() > 1) {
            overlapped = true;
        }
        try {
            long bytes = 0;
            for (Entry e : entries) {
                bytes += e.data().length;
            }
            if (bytes > slowOverBytes) {
                try {
                    Thread.sleep(slowMillis); // a slow apply: a later batch must not overtake it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return applyNow(entries, bytes);
        } finally {
            applying.decrementAndGet();
        }
    }

    private synchronized List<Object> applyNow(List<Entry> entries, long bytes) {
        List<Object> results = new ArrayList<>(entries.size());
        if (!entries.isEmpty()) {
            batches.add(new Batch(entries.get(0).index(), entries.get(entries.size() - 1).index(), bytes,
                    Thread.currentThread().getName()));
        }
        for (Entry e : entries) {
            if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                values.add(new String(e.data(), StandardCharsets.UTF_8));
                results.add(values.size());
            } else {
                results.add(null);
            }
            applied = e.index();
        }
        return results;
    }

    @Override
    public long appliedIndex() {
        return applied;
    }

    @Override
    public synchronized long snapshot(Path dir) {
        try {
            Files.write(dir.resolve("values"), (applied + "\n" + String.join("\n", values)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return applied;
    }

    @Override
    public synchronized void installSnapshot(Path dir, SnapshotMetadata metadata) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("values"), StandardCharsets.UTF_8);
            values.clear();
            values.addAll(lines.subList(1, lines.size()).stream().filter(s -> !s.isEmpty()).toList());
            applied = Long.parseLong(lines.get(0));
            installs++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized List<Batch> snapshotOfBatches() {
        return List.copyOf(batches);
    }

    synchronized List<String> snapshotOfValues() {
        return List.copyOf(values);
    }
}
