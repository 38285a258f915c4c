package io.cairn.raft.core.confchange;

import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.core.tracker.TrackerConfig;

import java.util.Objects;
import java.util.SortedMap;

/**
 * The configuration and progress map resulting from a change, to be installed with
 * {@code ProgressTracker.setConfig(result.config(), result.progress())}. The progresses are copies:
 * the tracker the change was computed from is untouched.
 */
public record ChangeResult(TrackerConfig config, SortedMap<Long, Progress> progress) {
    public ChangeResult {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(progress, "progress");
    }
}
