package io.cairn.raft.runtime;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A small durable test state machine: the list of applied payloads, rewritten with its applied
 * index to one file (write to a temp file, fsync, atomic rename) after every batch, so the
 * applied index always travels with the data. Good for tests, not for speed.
 */
final class FileStateMachine implements StateMachine {
    private final Path file;
    private final List<String> values = new ArrayList<>();
    private volatile long applied;
    volatile int installs;

    FileStateMachine(Path dir) {
        try {
            Files.createDirectories(dir);
            this.file = dir.resolve("state");
            if (Files.exists(file)) {
                load(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void load(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        values.clear();
        applied = Long.parseLong(lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            if (!l.isEmpty()) {
                values.add(l);
            }
        }
    }

    private void save(Path f) {
        try {
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.write(tmp, (applied + "\n" + String.join("\n", values)).getBytes(StandardCharsets.UTF_8));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
        save(file);
        return results;
    }

    @Override
    public long appliedIndex() {
        return applied;
    }

    @Override
    public synchronized long snapshot(Path dir) {
        save(dir.resolve("state"));
        return applied;
    }

    @Override
    public synchronized void installSnapshot(Path dir, SnapshotMetadata metadata) {
        try {
            load(dir.resolve("state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        save(file);
        installs++;
    }

    synchronized List<String> values() {
        return List.copyOf(values);
    }
}
