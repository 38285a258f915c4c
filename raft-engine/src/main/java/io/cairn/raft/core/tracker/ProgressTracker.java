package io.cairn.raft.core.tracker;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.quorum.VoteResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The leader's (and candidate's) view of the group: the active {@link TrackerConfig}, a
 * {@link Progress} per member, and the votes of the current election (etcd's ProgressTracker).
 * Everything is kept in maps sorted by id, so iteration order is deterministic.
 */
public final class ProgressTracker {

    /** The outcome of counting the votes: granted and rejected votes of voters, and the result. */
    public record TallyResult(int granted, int rejected, VoteResult result) {
    }

    private final int maxInflight;
    private final long maxInflightBytes;
    private TrackerConfig config = TrackerConfig.EMPTY;
    private TreeMap<Long, Progress> progress = new TreeMap<>();
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();

    /**
     * @param maxInflight      the appends in flight allowed per follower (for new progresses)
     * @param maxInflightBytes the bytes in flight allowed per follower, 0 for no limit
     */
    public ProgressTracker(int maxInflight, long maxInflightBytes) {
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be >= 1: " + maxInflight);
        }
        if (maxInflightBytes < 0) {
            throw new IllegalArgumentException("maxInflightBytes must be >= 0: " + maxInflightBytes);
        }
        this.maxInflight = maxInflight;
        this.maxInflightBytes = maxInflightBytes;
    }

    public TrackerConfig config() {
        return config;
    }

    /** The progress of every member, by id (the live map). */
    public SortedMap<Long, Progress> progress() {
        return progress;
    }

    /**
     * Installs a configuration and its progress map (typically a configuration changer's result).
     * The map is copied; the {@link Progress} objects are adopted as they are.
     *
     * @throws IllegalArgumentException if a member of {@code cfg} has no progress
     */
    public void setConfig(TrackerConfig cfg, SortedMap<Long, Progress> progress) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(progress, "progress");
        TreeMap<Long, Progress> copy = new TreeMap<>(progress);
        checkHasProgress(cfg.voters().ids(), copy);
        checkHasProgress(cfg.learners(), copy);
        checkHasProgress(cfg.learnersNext(), copy);
        this.config = cfg;
        this.progress = copy;
    }

    private static void checkHasProgress(Iterable<Long> ids, Map<Long, Progress> progress) {
        for (long id : ids) {
            if (progress.get(id) == null) {
                throw new IllegalArgumentException("no progress for " + id);
            }
        }
    }

    public int maxInflight() {
        return maxInflight;
    }

    public long maxInflightBytes() {
        return maxInflightBytes;
    }

    /** The active configuration as a {@link ConfState}. */
    public ConfState confState() {
        return new ConfState(config.voters().incoming().ids(), config.voters().outgoing().ids(),
                config.learners(), config.learnersNext(), config.observers(), config.autoLeave());
    }

    /** Whether there is exactly one voter and the configuration is not joint. */
    public boolean isSingleton() {
        return config.voters().incoming().size() == 1 && !config.voters().isJoint();
    }

    /**
     * The largest index acknowledged ({@link Progress#match}) by a quorum of the (joint) voters.
     * {@link Long#MAX_VALUE} if there are no voters.
     */
    public long committed() {
        return config.voters().committedIndex(id -> {
            Progress p = progress.get(id);
            return p == null ? 0 : p.match;
        });
    }

    /** Calls {@code f} for every tracked progress, in ascending id order. */
    public void visit(BiConsumer<Long, Progress> f) {
        progress.forEach(f);
    }

    /**
     * Whether a quorum of voters is {@link Progress#recentActive} (check-quorum, Raft thesis §6.2).
     * Learners do not count; the caller keeps the leader's own progress active.
     */
    public boolean quorumActive() {
        TreeMap<Long, Boolean> active = new TreeMap<>();
        progress.forEach((id, p) -> {
            if (!p.isLearner) {
                active.put(id, p.recentActive);
            }
        });
        return config.voters().voteResult(active) == VoteResult.WON;
    }

    /** The voters of both halves, ascending. */
    public List<Long> voterNodes() {
        return List.copyOf(config.voters().ids());
    }

    /** The learners (not learnersNext), ascending; observers included. */
    public List<Long> learnerNodes() {
        return List.copyOf(config.learners());
    }

    /** Whether {@code id} is a BW-Raft observer in the active configuration. */
    public boolean isObserver(long id) {
        return config.observers().contains(id);
    }

    /** Forgets the votes, for a new election. */
    public void resetVotes() {
        votes.clear();
    }

    /** Records the vote of {@code id}; only its first vote of the election counts. */
    public void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    /** The votes recorded in this election, by id (unmodifiable view). */
    public SortedMap<Long, Boolean> votes() {
        return Collections.unmodifiableSortedMap(votes);
    }

    /**
     * Counts the votes: granted and rejected among tracked non-learners (votes of others are left
     * out of the counts), and the election result under the (joint) voter configuration.
     */
    public TallyResult tallyVotes() {
        int granted = 0;
        int rejected = 0;
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getValue().isLearner) {
                continue;
            }
            Boolean v = votes.get(e.getKey());
            if (v == null) {
                continue;
            }
            if (v) {
                granted++;
            } else {
                rejected++;
            }
        }
        return new TallyResult(granted, rejected, config.voters().voteResult(votes));
    }

    /** The configuration, then one {@code id: progress} line per member. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        lines.add(config.toString());
        progress.forEach((id, p) -> lines.add(id + ": " + p));
        return String.join("\n", lines);
    }
}
