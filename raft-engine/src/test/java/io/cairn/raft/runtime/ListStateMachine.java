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
    final List<String> values = new ArrayList<>();
    private volatile long applied;
    volatile int installs;

    @Override
    public synchronized List<Object> apply(List<Entry> entries) {
        List<Object> results = new ArrayList<>(entries.size());
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

    synchronized List<String> snapshotOfValues() {
        return List.copyOf(values);
    }
}
