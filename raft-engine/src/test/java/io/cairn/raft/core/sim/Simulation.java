package io.cairn.raft.core.sim;

import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfChangeTransition;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.CoreInspector;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.MemoryStorage;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.core.ProposalDroppedException;
import io.cairn.raft.core.RaftConfig;
import io.cairn.raft.core.RawNode;
import io.cairn.raft.core.ReadOnlyOption;
import io.cairn.raft.core.ReadState;
import io.cairn.raft.core.Ready;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.StateType;
import io.cairn.raft.core.confchange.ConfChangeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seeded, single-threaded simulation of a Raft group driving the real core (TigerBeetle VOPR /
 * FoundationDB style). One seed determines everything: the cluster size (3, 5 or 7 voters), the
 * Raft options, and every fault and client action. The same seed always replays the same run.
 *
 * <p>Faults: a network that drops, delays, duplicates and reorders messages, symmetric and
 * asymmetric partitions, crash and restart (a node keeps only what it persisted). Client actions:
 * proposals at random nodes, membership changes (voters, learners, observers, joint), leadership
 * transfers, ReadIndex requests, snapshots with log compaction.
 *
 * <p>Checked after every step: at most one leader per term; log matching; leader completeness;
 * state machine safety; every read sees at least every write committed before it began. After the
 * faults heal, the group must commit a new entry within a bounded simulated time.
 */
public final class Simulation {

    /** Simulated milliseconds between ticks; every live node ticks at the same instants. */
    static final int TICK_MS = 10;
    static final int ELECTION_TICKS = 10;

    private final long seed;
    private final Random rnd;
    private final int initialVoters;
    private final int poolSize;
    private final long chaosMs;
    private final long livenessBoundMs;

    // Per-seed Raft options.
    private final boolean preVote;
    private final boolean checkQuorum;
    private final ReadOnlyOption readOnly;
    private final int maxInflight;
    private final long maxInflightBytes;
    private final long maxSizePerMsg;
    private final long maxUncommitted;
    /**
     * Ticker faults and lease clocks come from their own random stream, so the seeds keep the
     * parameters and actions they had before these were added.
     */
    private final Random tickerRnd;
    /** LEASE_BASED timed by per-node clocks (each a little fast or slow) rather than by ticks. */
    private final boolean leaseClock;
    /**
     * Ticker stalls: a node's ticks stop for up to three election timeouts while it keeps handling
     * messages, then resume with one tick (missed ticks collapsed, as the runtime's ticker does) or
     * all the missed ones at once (a ticker catching up). Never with a tick-only lease, which such
     * stalls are known to break.
     */
    private final boolean tickerStalls;

    // Per-seed client load, in actions per 1000 simulated ms.
    private final int proposeRate;
    private final int readRate;

    // Per-seed fault intensity.
    private final double dropRate;
    private final double dupRate;
    private final int maxDelayMs;

    private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    private final PriorityQueue<InFlight> network = new PriorityQueue<>();
    /** Directed links currently cut: from * 1000 + to. */
    private final Set<Long> cutLinks = new HashSet<>();
    private long partitionHealAt = -1;
    private long now;
    private long seq;

    // Checker state.
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    /** Index → term of every entry known committed (from leaders' commit indexes). */
    private final ArrayList<Long> committedTerms = new ArrayList<>(List.of(0L));
    /** Index → entry applied first anywhere (the reference for state machine safety). */
    private final ArrayList<Entry> appliedRef = new ArrayList<>();
    /** Index → state digest after applying up to it. */
    private final ArrayList<Long> digestRef = new ArrayList<>(List.of(0L));
    /** (index, term) → payload hash of the entry stored anywhere with that position. */
    private final Map<Long, Map<Long, Integer>> entryIdentity = new HashMap<>();
    private final Map<String, PendingRead> pendingReads = new HashMap<>();
    private long readsChecked;
    private long writesApplied;
    private long valueCounter;
    private long readCounter;
    private long snapshotsInstalled;
    /** Crashes after a Ready's early messages left and before its write (thesis §10.2.1). */
    private long crashesDuringWrite;
    private long maxTermSeen;

    private final Trace trace;

    public Simulation(long seed, boolean tracing) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.trace = new Trace(tracing);
        int[] sizes = {3, 5, 7};
        this.initialVoters = sizes[(int) Math.floorMod(seed, 3L)];
        this.poolSize = initialVoters + 2;
        this.chaosMs = 3_000 + rnd.nextInt(3_000);
        this.livenessBoundMs = 60L * ELECTION_TICKS * TICK_MS;

        this.checkQuorum = rnd.nextInt(4) != 0;
        this.preVote = rnd.nextInt(4) != 0;
        this.readOnly = checkQuorum && rnd.nextBoolean() ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE;
        this.maxInflight = 1 + rnd.nextInt(8);
        this.maxSizePerMsg = rnd.nextBoolean() ? 64 : 4096;
        this.maxInflightBytes = rnd.nextBoolean() ? 0 : maxSizePerMsg * (1 + rnd.nextInt(4));
        this.maxUncommitted = rnd.nextBoolean() ? 0 : 256 + rnd.nextInt(2048);

        this.proposeRate = 10 + rnd.nextInt(40);
        this.readRate = new int[] {5, 20, 100}[rnd.nextInt(3)];

        this.dropRate = rnd.nextDouble() * 0.2;
        this.dupRate = rnd.nextDouble() * 0.1;
        this.maxDelayMs = 1 + rnd.nextInt(40);

        this.tickerRnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        this.leaseClock = readOnly == ReadOnlyOption.LEASE_BASED && tickerRnd.nextBoolean();
        this.tickerStalls = (readOnly != ReadOnlyOption.LEASE_BASED || leaseClock) && tickerRnd.nextBoolean();
    }

    public long seed() {
        return seed;
    }

    public String describe() {
        return "seed=" + seed + " voters=" + initialVoters + " preVote=" + preVote + " checkQuorum=" + checkQuorum
                + " readOnly=" + readOnly + " leaseClock=" + leaseClock + " tickerStalls=" + tickerStalls
                + " maxInflight=" + maxInflight + " maxInflightBytes=" + maxInflightBytes
                + " maxSizePerMsg=" + maxSizePerMsg + " maxUncommitted=" + maxUncommitted
                + " proposeRate=" + proposeRate + " readRate=" + readRate
                + String.format(" drop=%.2f dup=%.2f delay<=%dms chaos=%dms", dropRate, dupRate, maxDelayMs, chaosMs);
    }

    /** Outcome counters of a run, for reporting. */
    public record Result(long seed, long simulatedMs, long committed, long readsChecked, long maxTerm,
                         long snapshotsInstalled, long livenessMs, long crashesDuringWrite) {
    }

    /** Runs the whole simulation; throws {@link AssertionError} on the first violated property. */
    public Result run() {
        ConfState initial = initialConf();
        for (long id = 1; id <= poolSize; id++) {
            // Every replica of a group, founding or joining later, starts from the group's founding
            // membership at index 0; the log (or a snapshot) carries it forward from there.
            SimNode n = new SimNode(id, MemoryStorage.withMembers(initial));
            nodes.put(id, n);
            n.start();
        }
        // Chaos phase.
        while (now < chaosMs) {
            stepOnce(true);
        }
        // Heal: restart every node, remove partitions, stop faults, then require progress.
        healAll();
        long healedAt = now;
        long livenessMs = awaitCommit(healedAt);
        checkFullLogMatching();
        return new Result(seed, now, committedTerms.size() - 1, readsChecked, maxTermSeen, snapshotsInstalled,
                livenessMs, crashesDuringWrite);
    }

    private ConfState initialConf() {
        Set<Long> voters = new TreeSet<>();
        for (long id = 1; id <= initialVoters; id++) {
            voters.add(id);
        }
        return new ConfState(voters, Set.of(), Set.of(), Set.of(), Set.of(), false);
    }

    // ------------------------------------------------------------------ main loop

    private void stepOnce(boolean chaos) {
        now++;
        // Deliver due messages.
        while (!network.isEmpty() && network.peek().deliverAt <= now) {
            deliver(network.poll(), chaos);
        }
        if (now % TICK_MS == 0) {
            for (SimNode n : nodes.values()) {
                if (!n.up()) {
                    continue;
                }
                if (n.tickerStalledUntil > now) {
                    n.owedTicks++;
                    continue;
                }
                int ticks = n.burstAfterStall ? 1 + n.owedTicks : 1;
                n.owedTicks = 0;
                for (int i = 0; i < ticks; i++) {
                    n.node.tick();
                    n.handleReady();
                }
            }
        }
        if (chaos) {
            chaosActions();
        }
        expireReads();
        check();
    }

    private void chaosActions() {
        if (partitionHealAt >= 0 && now >= partitionHealAt) {
            cutLinks.clear();
            partitionHealAt = -1;
            trace.add(now, "partition healed");
        }
        if (tickerStalls && tickerRnd.nextInt(1000) < 2) {
            stallTicker();
        }
        if (rnd.nextInt(1000) < proposeRate) {
            propose();
        }
        if (rnd.nextInt(1000) < readRate) {
            read();
        }
        int r = rnd.nextInt(1000);
        if (r < 2) {
            changeMembership();
        } else if (r < 3) {
            transferLeader();
        } else if (r < 7) {
            snapshotAndCompact();
        } else if (r < 8) {
            crashOrRestart();
        } else if (r < 9 && partitionHealAt < 0) {
            partition();
        }
    }

    private void stallTicker() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up() && n.tickerStalledUntil <= now) {
                up.add(n);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        // Half the stalls hit a leader: a leader whose ticks stop is what a tick-only lease gets wrong.
        List<SimNode> leaders = new ArrayList<>();
        for (SimNode u : up) {
            if (u.node.isLeader()) {
                leaders.add(u);
            }
        }
        List<SimNode> pool = !leaders.isEmpty() && tickerRnd.nextBoolean() ? leaders : up;
        SimNode n = pool.get(tickerRnd.nextInt(pool.size()));
        n.tickerStalledUntil = now + 1 + tickerRnd.nextInt(3 * ELECTION_TICKS * TICK_MS);
        n.burstAfterStall = tickerRnd.nextBoolean();
        trace.add(now, "ticker of " + n.id + " stalls until " + n.tickerStalledUntil
                + (n.burstAfterStall ? ", then bursts" : ", then collapses"));
    }

    // ------------------------------------------------------------------ network

    private final class InFlight implements Comparable<InFlight> {
        final long deliverAt;
        final long order;
        final Message msg;
        final int fromIncarnation;

        InFlight(long deliverAt, Message msg, int fromIncarnation) {
            this.deliverAt = deliverAt;
            this.order = seq++;
            this.msg = msg;
            this.fromIncarnation = fromIncarnation;
        }

        @Override
        public int compareTo(InFlight o) {
            int c = Long.compare(deliverAt, o.deliverAt);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private void send(SimNode from, Message m) {
        boolean faulty = now < chaosMs;
        int copies = faulty && rnd.nextDouble() < dupRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + (faulty ? rnd.nextInt(maxDelayMs) : rnd.nextInt(3));
            network.add(new InFlight(now + delay, m, from.incarnation));
        }
    }

    private void deliver(InFlight f, boolean chaos) {
        Message m = f.msg;
        SimNode from = nodes.get(m.from());
        SimNode to = nodes.get(m.to());
        boolean cut = cutLinks.contains(m.from() * 1000 + m.to());
        boolean lost = to == null || !to.up() || cut || (chaos && rnd.nextDouble() < dropRate);
        if (m.type() == MessageType.SNAP && from != null && from.up() && from.incarnation == f.fromIncarnation) {
            from.node.reportSnapshot(m.to(), !lost);
            from.handleReady();
        }
        if (lost) {
            if (cut && from != null && from.up() && rnd.nextInt(4) == 0) {
                from.node.reportUnreachable(m.to());
                from.handleReady();
            }
            return;
        }
        trace.add(now, "deliver ", m);
        to.node.step(m);
        to.handleReady();
    }

    private void partition() {
        List<Long> ids = new ArrayList<>(nodes.keySet());
        long duration = 200 + rnd.nextInt(1500);
        if (rnd.nextBoolean()) {
            // Symmetric: split into two sides.
            java.util.Collections.shuffle(ids, rnd);
            int k = 1 + rnd.nextInt(ids.size() - 1);
            Set<Long> side = new HashSet<>(ids.subList(0, k));
            for (long a : nodes.keySet()) {
                for (long b : nodes.keySet()) {
                    if (side.contains(a) != side.contains(b)) {
                        cutLinks.add(a * 1000 + b);
                    }
                }
            }
            trace.add(now, "partition " + new TreeSet<>(side) + " | rest for " + duration + "ms");
        } else {
            // Asymmetric: a few one-way cuts.
            int cuts = 1 + rnd.nextInt(4);
            for (int i = 0; i < cuts; i++) {
                long a = ids.get(rnd.nextInt(ids.size()));
                long b = ids.get(rnd.nextInt(ids.size()));
                if (a != b) {
                    cutLinks.add(a * 1000 + b);
                    trace.add(now, "cut " + a + "->" + b + " for " + duration + "ms");
                }
            }
        }
        partitionHealAt = now + duration;
    }

    // ------------------------------------------------------------------ client actions

    private SimNode randomUpNode() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up()) {
                up.add(n);
            }
        }
        return up.isEmpty() ? null : up.get(rnd.nextInt(up.size()));
    }

    /** The up node that believes it leads in the highest term, or null. */
    private SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.up() && n.node.isLeader()
                    && (best == null || CoreInspector.term(n.node) > CoreInspector.term(best.node))) {
                best = n;
            }
        }
        return best;
    }

    private void propose() {
        SimNode n = randomUpNode();
        if (n == null) {
            return;
        }
        int batch = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(4) : 1;
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            data.add(KvState.write("k" + rnd.nextInt(5), "v" + (++valueCounter)));
        }
        try {
            n.node.proposeBatch(data);
            trace.add(now, "propose x" + batch + " at " + n.id);
        } catch (ProposalDroppedException e) {
            trace.add(now, "propose at " + n.id + " dropped: " + e.getMessage());
        }
        n.handleReady();
    }

    private record PendingRead(long node, long minIndex, long startedAt) {
    }

    private void read() {
        SimNode n = randomUpNode();
        if (n == null) {
            return;
        }
        String ctx = "r" + (++readCounter);
        long minIndex = globalCommitted();
        try {
            n.node.readIndex(ctx.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            pendingReads.put(ctx, new PendingRead(n.id, minIndex, now));
            trace.add(now, "read " + ctx + " at " + n.id + " (committed " + minIndex + ")");
        } catch (ProposalDroppedException e) {
            trace.add(now, "read at " + n.id + " refused: " + e.getMessage());
        }
        n.handleReady();
    }

    /** The highest index any node knows to be committed. */
    private long globalCommitted() {
        return committedTerms.size() - 1;
    }

    private void expireReads() {
        if (now % 500 != 0) {
            return;
        }
        pendingReads.values().removeIf(p -> now - p.startedAt > 5_000);
    }

    private void changeMembership() {
        SimNode l = leader();
        if (l == null) {
            return;
        }
        ConfState cs = l.node.confState();
        List<ConfChangeSingle> changes = new ArrayList<>();
        ConfChangeTransition transition = ConfChangeTransition.AUTO;
        if (cs.isJoint()) {
            if (!cs.autoLeave()) {
                propose(l, ConfChange.leaveJoint());
            }
            return;
        }
        int kind = rnd.nextInt(6);
        List<Long> voters = new ArrayList<>(new TreeSet<>(cs.voters()));
        List<Long> nonMembers = new ArrayList<>();
        for (long id : nodes.keySet()) {
            if (!cs.voters().contains(id) && !cs.learners().contains(id)) {
                nonMembers.add(id);
            }
        }
        List<Long> learners = new ArrayList<>(new TreeSet<>(cs.learners()));
        switch (kind) {
            case 0: // add a voter
                if (!nonMembers.isEmpty() && voters.size() < 7) {
                    changes.add(ConfChangeSingle.addVoter(pick(nonMembers)));
                }
                break;
            case 1: // remove a voter
                if (voters.size() > 2) {
                    changes.add(ConfChangeSingle.remove(pick(voters)));
                }
                break;
            case 2: // add a learner or an observer
                if (!nonMembers.isEmpty()) {
                    long id = pick(nonMembers);
                    changes.add(rnd.nextBoolean() ? ConfChangeSingle.addLearner(id) : ConfChangeSingle.addObserver(id));
                }
                break;
            case 3: // promote a learner (observers are refused at apply, deterministically)
                if (!learners.isEmpty()) {
                    changes.add(ConfChangeSingle.addVoter(pick(learners)));
                }
                break;
            case 4: // remove a learner
                if (!learners.isEmpty()) {
                    changes.add(ConfChangeSingle.remove(pick(learners)));
                }
                break;
            default: // joint: swap a voter for a non-member
                if (!nonMembers.isEmpty() && voters.size() > 2) {
                    changes.add(ConfChangeSingle.addVoter(pick(nonMembers)));
                    changes.add(ConfChangeSingle.remove(pick(voters)));
                    transition = ConfChangeTransition.values()[rnd.nextInt(3)];
                }
        }
        if (changes.isEmpty()) {
            return;
        }
        if (rnd.nextInt(4) == 0 && changes.size() == 1) {
            transition = rnd.nextBoolean() ? ConfChangeTransition.JOINT_IMPLICIT : ConfChangeTransition.JOINT_EXPLICIT;
        }
        propose(l, new ConfChange(transition, changes, null));
    }

    private void propose(SimNode l, ConfChange cc) {
        try {
            l.node.proposeConfChange(cc);
            trace.add(now, "conf change at " + l.id + ": " + cc);
        } catch (ProposalDroppedException e) {
            trace.add(now, "conf change at " + l.id + " dropped: " + e.getMessage());
        }
        l.handleReady();
    }

    private long pick(List<Long> ids) {
        return ids.get(rnd.nextInt(ids.size()));
    }

    private void transferLeader() {
        SimNode l = leader();
        if (l == null) {
            return;
        }
        List<Long> voters = new ArrayList<>(new TreeSet<>(l.node.confState().voters()));
        long target = pick(voters);
        trace.add(now, "transfer leader " + l.id + " -> " + target);
        try {
            l.node.transferLeader(target);
        } catch (ProposalDroppedException e) {
            trace.add(now, "transfer refused: " + e.getMessage());
        }
        l.handleReady();
    }

    private void snapshotAndCompact() {
        SimNode n = randomUpNode();
        if (n == null) {
            return;
        }
        long applied = n.kv.appliedIndex;
        Snapshot current = n.storage.snapshot();
        if (applied <= current.index() + 5) {
            return;
        }
        n.storage.createSnapshot(applied, n.confAtApplied, n.kv.encode());
        long keep = rnd.nextInt(20);
        long compactTo = applied - keep;
        if (compactTo > n.storage.firstIndex()) {
            n.storage.compact(compactTo);
        }
        trace.add(now, "snapshot at " + n.id + " index " + applied + ", compacted to " + compactTo);
    }

    private void crashOrRestart() {
        List<SimNode> down = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (!n.up()) {
                down.add(n);
            }
        }
        if (!down.isEmpty() && rnd.nextBoolean()) {
            SimNode n = down.get(rnd.nextInt(down.size()));
            n.start();
            trace.add(now, "restart " + n.id);
            return;
        }
        SimNode n = randomUpNode();
        if (n != null) {
            n.crash();
            trace.add(now, "crash " + n.id);
        }
    }

    private void healAll() {
        cutLinks.clear();
        partitionHealAt = -1;
        for (SimNode n : nodes.values()) {
            if (!n.up()) {
                n.start();
            }
        }
        trace.add(now, "healed everything");
    }

    /** After healing, a new entry must commit within the bound; returns the simulated ms it took. */
    private long awaitCommit(long healedAt) {
        long deadline = healedAt + livenessBoundMs;
        String marker = "liveness-" + seed;
        long proposedIndex = -1;
        long proposedTerm = -1;
        while (now < deadline) {
            stepOnce(false);
            SimNode l = leader();
            if (l == null) {
                continue;
            }
            ConfState cs = l.node.confState();
            if (cs.isJoint() && !cs.autoLeave() && now % 100 == 0) {
                propose(l, ConfChange.leaveJoint());
            }
            if (proposedIndex < 0 || CoreInspector.term(l.node) != proposedTerm) {
                if (now % 50 != 0) {
                    continue;
                }
                try {
                    l.node.propose(KvState.write("live", marker));
                    proposedIndex = l.node.lastIndex();
                    proposedTerm = CoreInspector.term(l.node);
                    trace.add(now, "liveness proposal at " + l.id + " index " + proposedIndex);
                } catch (ProposalDroppedException e) {
                    proposedIndex = -1;
                }
                l.handleReady();
            }
            if (proposedIndex > 0 && globalCommitted() >= proposedIndex
                    && committedTerms.get((int) proposedIndex) == proposedTerm) {
                return now - healedAt;
            }
        }
        throw new AssertionError("liveness: no new entry committed within " + livenessBoundMs
                + " simulated ms after healing; " + nodeSummary());
    }

    // ------------------------------------------------------------------ checks

    private void check() {
        for (SimNode n : nodes.values()) {
            if (!n.up()) {
                continue;
            }
            long term = CoreInspector.term(n.node);
            maxTermSeen = Math.max(maxTermSeen, term);
            if (CoreInspector.state(n.node) == StateType.LEADER) {
                // Election Safety: at most one leader per term (§5.2).
                Long other = leaderOfTerm.putIfAbsent(term, n.id);
                if (other != null && other != n.id) {
                    fail("election safety: nodes " + other + " and " + n.id + " both lead term " + term);
                }
                if (!n.completenessChecked || n.checkedTerm != term) {
                    checkLeaderCompleteness(n, term);
                    n.completenessChecked = true;
                    n.checkedTerm = term;
                }
                recordCommitted(n);
            }
        }
    }

    /** Records entries the leader has committed, checking they agree with what was committed before. */
    private void recordCommitted(SimNode l) {
        long commit = CoreInspector.committed(l.node);
        long first = CoreInspector.firstIndex(l.node);
        for (long i = committedTerms.size(); i <= commit; i++) {
            long t = CoreInspector.termAt(l.node, i);
            if (t < 0) {
                if (i < first) {
                    // Compacted at the leader: the entry was applied there, take it from the reference.
                    t = i < appliedRef.size() && appliedRef.get((int) i) != null ? appliedRef.get((int) i).term() : -1;
                }
                if (t < 0) {
                    fail("leader " + l.id + " committed index " + i + " but has no term for it");
                }
            }
            committedTerms.add(t);
        }
        // Committed entries never change (§5.4).
        long from = Math.max(first, Math.max(1, commit - 8));
        for (long i = from; i <= commit; i++) {
            long t = CoreInspector.termAt(l.node, i);
            if (t >= 0 && t != committedTerms.get((int) i)) {
                fail("committed entry " + i + " has term " + t + " at leader " + l.id + " but was committed with term "
                        + committedTerms.get((int) i));
            }
        }
    }

    /** Leader Completeness (§5.4): a leader's log holds every entry committed before its term. */
    private void checkLeaderCompleteness(SimNode l, long term) {
        long first = CoreInspector.firstIndex(l.node);
        for (long i = Math.max(1, first); i < committedTerms.size(); i++) {
            long t = CoreInspector.termAt(l.node, i);
            if (t != committedTerms.get((int) i)) {
                fail("leader completeness: leader " + l.id + " of term " + term + " has term " + t + " at index " + i
                        + " but the committed entry there has term " + committedTerms.get((int) i));
            }
        }
        if (first - 1 > committedTerms.size() - 1 + 0 && first - 1 > appliedRef.size() - 1) {
            fail("leader " + l.id + " compacted beyond anything known committed: first index " + first);
        }
    }

    /** State Machine Safety (§5.4.3): every node applies the same entry at each index. */
    private void checkApplied(SimNode n, Entry e) {
        int i = (int) e.index();
        while (appliedRef.size() <= i) {
            appliedRef.add(null);
        }
        Entry ref = appliedRef.get(i);
        if (ref == null) {
            appliedRef.set(i, e);
            writesApplied++;
        } else if (!ref.equals(e)) {
            fail("state machine safety: node " + n.id + " applied " + e + " at " + i + " but another applied " + ref);
        }
        while (digestRef.size() <= i) {
            digestRef.add(null);
        }
        Long d = digestRef.get(i);
        if (d == null) {
            digestRef.set(i, n.kv.digest);
        } else if (d != n.kv.digest) {
            fail("state machine safety: node " + n.id + " state digest differs after applying index " + i);
        }
        if (i < committedTerms.size() && committedTerms.get(i) != e.term()) {
            fail("node " + n.id + " applied " + e + " but the committed entry at " + i + " has term "
                    + committedTerms.get(i));
        }
    }

    /** Log Matching (§5.3): two entries with the same index and term carry the same data. */
    private void checkEntryIdentity(SimNode n, Entry e) {
        Map<Long, Integer> byTerm = entryIdentity.computeIfAbsent(e.index(), k -> new HashMap<>());
        int h = java.util.Arrays.hashCode(e.data()) * 31 + e.type().code();
        Integer prev = byTerm.putIfAbsent(e.term(), h);
        if (prev != null && prev != h) {
            fail("log matching: node " + n.id + " holds a different entry at index " + e.index() + " term " + e.term());
        }
    }

    /** Log Matching, in full: logs that agree on an (index, term) agree on everything before it. */
    private void checkFullLogMatching() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up()) {
                up.add(n);
            }
        }
        for (int a = 0; a < up.size(); a++) {
            for (int b = a + 1; b < up.size(); b++) {
                RawNode x = up.get(a).node;
                RawNode y = up.get(b).node;
                long lo = Math.max(CoreInspector.firstIndex(x), CoreInspector.firstIndex(y));
                long hi = Math.min(x.lastIndex(), y.lastIndex());
                long match = -1;
                for (long i = hi; i >= lo; i--) {
                    long t = CoreInspector.termAt(x, i);
                    if (t >= 0 && t == CoreInspector.termAt(y, i)) {
                        match = i;
                        break;
                    }
                }
                if (match < lo) {
                    continue;
                }
                List<Entry> ex = CoreInspector.entries(x, lo, match + 1);
                List<Entry> ey = CoreInspector.entries(y, lo, match + 1);
                if (!ex.equals(ey)) {
                    fail("log matching: nodes " + up.get(a).id + " and " + up.get(b).id + " agree at index " + match
                            + " but differ before it");
                }
            }
        }
    }

    private void fail(String what) {
        throw new AssertionError(what + " [at " + now + "ms]");
    }

    private String nodeSummary() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes.values()) {
            sb.append("\n  node ").append(n.id).append(n.up() ? "" : " (down)");
            if (n.up()) {
                sb.append(' ').append(n.node.status().softState()).append(' ').append(n.node.status().hardState())
                        .append(" conf=").append(n.node.confState()).append(" last=").append(n.node.lastIndex());
            }
        }
        return sb.toString();
    }

    public Trace trace() {
        return trace;
    }

    // ------------------------------------------------------------------ nodes

    private final class SimNode {
        final long id;
        final MemoryStorage storage;
        RawNode node;
        int incarnation;
        KvState kv = new KvState();
        /** Membership as of the applied index (what a snapshot at that index records). */
        ConfState confAtApplied;
        boolean completenessChecked;
        long checkedTerm;
        /** This node's monotonic clock runs at this rate of simulated time (within the drift margin). */
        final double clockRate;
        final long clockOffset;
        long tickerStalledUntil;
        int owedTicks;
        boolean burstAfterStall;

        SimNode(long id, MemoryStorage storage) {
            this.id = id;
            this.storage = storage;
            this.clockRate = 1 + (tickerRnd.nextDouble() * 0.04 - 0.02);
            this.clockOffset = tickerRnd.nextLong() >> 2;
        }

        long clockNanos() {
            return clockOffset + (long) (now * 1_000_000L * clockRate);
        }

        boolean up() {
            return node != null;
        }

        void start() {
            incarnation++;
            // The state machine restarts from the last snapshot: what it persisted.
            Snapshot snap = storage.snapshot();
            kv = KvState.decode(snap.data());
            confAtApplied = snap.metadata().confState();
            if (kv.appliedIndex != snap.index()) {
                fail("node " + id + " snapshot data at " + kv.appliedIndex + " but snapshot index " + snap.index());
            }
            RaftConfig cfg = RaftConfig.of(id, storage)
                    .electionTick(ELECTION_TICKS)
                    .heartbeatTick(1)
                    .applied(snap.index())
                    .checkQuorum(checkQuorum)
                    .preVote(preVote)
                    .readOnlyOption(readOnly)
                    .maxInflightMsgs(maxInflight)
                    .maxInflightBytes(maxInflightBytes)
                    .maxSizePerMsg(maxSizePerMsg)
                    .maxUncommittedEntriesSize(maxUncommitted)
                    .random(new Random(seed * 1_000_003L + id * 7919L + incarnation));
            if (leaseClock) {
                cfg.leaseClock(this::clockNanos, TICK_MS * 1_000_000L);
            }
            owedTicks = 0;
            node = new RawNode(cfg);
            completenessChecked = false;
            handleReady();
        }

        void crash() {
            node = null;
        }

        /** Handles every pending Ready: persist, send, apply, advance. */
        void handleReady() {
            while (node != null && node.hasReady()) {
                Ready rd = node.ready();
                // 0. A leader's appends, heartbeats and snapshots leave before its own write is
                //    durable (thesis §10.2.1). Now and then the node crashes right then and loses
                //    the write: its followers may hold (and commit) entries it never persisted.
                List<Message> late = new ArrayList<>(rd.messages().size());
                boolean sentEarly = false;
                for (Message m : rd.messages()) {
                    if (rd.sendableBeforePersist(m)) {
                        send(this, m);
                        sentEarly = true;
                    } else {
                        late.add(m);
                    }
                }
                if (sentEarly && !rd.entries().isEmpty() && now < chaosMs && rnd.nextInt(100) == 0) {
                    crash();
                    crashesDuringWrite++;
                    trace.add(now, "crash " + id + " while writing entries " + rd.entries().get(0).index() + ".."
                            + rd.entries().get(rd.entries().size() - 1).index());
                    return;
                }
                // 1. Persist.
                if (!rd.snapshot().isEmpty()) {
                    storage.applySnapshot(rd.snapshot());
                }
                for (Entry e : rd.entries()) {
                    checkEntryIdentity(this, e);
                }
                storage.append(rd.entries());
                if (rd.hardState() != null) {
                    storage.setHardState(rd.hardState());
                }
                // 2. Send the rest: durable before acknowledged.
                for (Message m : late) {
                    send(this, m);
                }
                // 3. Apply.
                if (!rd.snapshot().isEmpty()) {
                    kv = KvState.decode(rd.snapshot().data());
                    confAtApplied = rd.snapshot().metadata().confState();
                    snapshotsInstalled++;
                    Long d = rd.snapshot().index() < digestRef.size() ? digestRef.get((int) rd.snapshot().index()) : null;
                    if (d != null && d != kv.digest) {
                        fail("snapshot at " + rd.snapshot().index() + " installed on " + id + " has a different state");
                    }
                    trace.add(now, "node " + id + " installed snapshot " + rd.snapshot().index());
                }
                for (Entry e : rd.committedEntries()) {
                    kv.apply(e);
                    if (e.type() == EntryType.CONF_CHANGE) {
                        try {
                            confAtApplied = node.applyConfChange(RawNode.confChangeOf(e));
                            trace.add(now, "node " + id + " applied conf " + confAtApplied);
                        } catch (ConfChangeException ex) {
                            // Invalid changes fail the same way on every replica.
                            trace.add(now, "node " + id + " refused conf change: " + ex.getMessage());
                        }
                    }
                    checkApplied(this, e);
                }
                for (ReadState rs : rd.readStates()) {
                    String ctx = new String(rs.requestCtx(), java.nio.charset.StandardCharsets.UTF_8);
                    PendingRead p = pendingReads.remove(ctx);
                    if (p == null) {
                        continue; // a duplicate answer, or expired
                    }
                    if (rs.index() < p.minIndex) {
                        fail("linearizable read: read " + ctx + " at node " + id + " got read index " + rs.index()
                                + " but index " + p.minIndex + " was committed before it began");
                    }
                    readsChecked++;
                }
                // 4. Advance.
                node.advance(rd);
            }
        }
    }

    /** A bounded trace of recent events, printed on failure (complete when tracing is on). */
    public static final class Trace {
        private final boolean full;
        private final ArrayDeque<String> lines = new ArrayDeque<>();

        Trace(boolean full) {
            this.full = full;
        }

        void add(long at, String what) {
            if (full) {
                push(at + "ms " + what);
            }
        }

        void add(long at, String what, Message m) {
            if (full) {
                push(at + "ms " + what + m);
            }
        }

        private void push(String s) {
            lines.addLast(s);
            if (lines.size() > Integer.getInteger("cairn.sim.tracelines", 400)) {
                lines.removeFirst();
            }
        }

        public List<String> lines() {
            return new ArrayList<>(lines);
        }
    }
}
