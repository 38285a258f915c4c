package io.cairn.raft.core;

import io.cairn.raft.core.confchange.ConfChangeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A deterministic, single-threaded in-memory network of {@link RawNode}s for tests, modelled on
 * etcd-raft's {@code network} in {@code raft_test.go}.
 *
 * <h2>Building</h2>
 * <pre>{@code
 * TestNetwork nt = TestNetwork.of(3);                                  // ids 1..3, seed 1, defaults
 * TestNetwork nt = TestNetwork.of(3, c -> c.preVote(false));           // tweak every RaftConfig
 * TestNetwork nt = TestNetwork.of(5, 42, c -> { if (c.id() == 2) c.checkQuorum(false); });
 * TestNetwork nt = TestNetwork.ofStorages(List.of(s1, s2, s3), 7, c -> {}); // pre-filled storages
 * }</pre>
 * Each node {@code i} gets its own {@link MemoryStorage} (by default
 * {@code MemoryStorage.withMembers(voters 1..N)}), electionTick 10, heartbeatTick 1, Raft defaults
 * otherwise (PreVote and CheckQuorum ON), and its own {@code Random} seeded from (seed, id). The
 * tweak {@code Consumer<RaftConfig>} runs last, with {@code id} and {@code storage} already set (so
 * it may tweak per node by looking at {@code c.id()}).
 *
 * <h2>Running</h2>
 * {@link #send(Message...)} queues messages (unfiltered) and then {@link #stabilize() stabilizes}:
 * in FIFO order each queued message is stepped into its target and the target's Ready is handled; whenever the
 * queue is empty every node with {@link RawNode#hasReady()} is drained (ascending id) until nothing
 * is left to do. Handling a Ready means, in this order: persist to the node's storage
 * ({@code applySnapshot} if the snapshot is non-empty, {@code append(entries)},
 * {@code setHardState} if non-null); apply committed entries (recorded in {@link #applied(long)};
 * {@link EntryType#CONF_CHANGE} entries are also applied with
 * {@code applyConfChange(RawNode.confChangeOf(e))}; a {@link ConfChangeException} is recorded in
 * {@link #confChangeErrors(long)} rather than thrown); record read states; {@code advance(rd)};
 * then queue its messages (filtered, see below).
 *
 * <p>Local message types (HUP, BEAT, ...) are delivered with {@code raft().step} (as etcd's network
 * does); all others through {@link RawNode#step}. Note: with CheckQuorum (on by default) a node
 * refuses votes for an election timeout after it starts; use {@link #elect(long)} (or
 * {@link #endStartupFence()} then {@link #campaign(long)}) to get a leader at once.
 * {@link #campaign(long)}, {@link #propose(long, String)}, {@link #tickAll(int)} and
 * {@link #tick(long, int)} are shortcuts that stabilize too.
 *
 * <h2>Faults</h2>
 * A message a node produced is dropped when it is queued if: its target is unknown; its type is
 * {@link #ignore(MessageType) ignored}; its directed link has a drop probability (by
 * {@link #drop}, {@link #cut} (1.0 both ways) or {@link #isolate} (1.0 to and from everyone)) and a
 * seeded coin says so; or a {@link #dropIf(Predicate)} predicate matches. {@link #recover()} heals
 * everything. Every message that passed the filter is appended to {@link #delivered()}.
 *
 * <p>Not thread-safe. Everything is deterministic for a given seed.
 */
public final class TestNetwork {

    /** Election timeout used for every node (heartbeat timeout is 1). */
    public static final int ELECTION_TICK = 10;

    private final long seed;
    private final Consumer<RaftConfig> tweak;
    private final TreeMap<Long, RawNode> nodes = new TreeMap<>();
    private final Map<Long, MemoryStorage> storages = new HashMap<>();
    private final Map<Long, List<Entry>> applied = new HashMap<>();
    private final Map<Long, Long> appliedIndex = new HashMap<>();
    private final Map<Long, List<ReadState>> readStates = new HashMap<>();
    private final Map<Long, List<String>> confChangeErrors = new HashMap<>();
    private final Map<Long, Integer> incarnations = new HashMap<>();

    private final Map<Long, Double> dropLinks = new HashMap<>();
    private final Set<MessageType> ignored = EnumSet.noneOf(MessageType.class);
    private final List<Predicate<Message>> dropPredicates = new ArrayList<>();
    private final Random dropRandom;

    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final List<Message> delivered = new ArrayList<>();
    private Consumer<Ready> readyListener = rd -> { };

    private TestNetwork(long seed, Consumer<RaftConfig> tweak) {
        this.seed = seed;
        this.tweak = tweak == null ? c -> { } : tweak;
        this.dropRandom = new Random(seed ^ 0x5DEECE66DL);
    }

    // ------------------------------------------------------------------ construction

    /** {@code n} voters (ids 1..n), seed 1, default configuration. */
    public static TestNetwork of(int n) {
        return of(n, 1, null);
    }

    /** {@code n} voters (ids 1..n), seed 1, every config passed through {@code tweak}. */
    public static TestNetwork of(int n, Consumer<RaftConfig> tweak) {
        return of(n, 1, tweak);
    }

    /** {@code n} voters (ids 1..n), the given seed, every config passed through {@code tweak}. */
    public static TestNetwork of(int n, long seed, Consumer<RaftConfig> tweak) {
        Long[] ids = new Long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (long) (i + 1);
        }
        List<MemoryStorage> ss = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ss.add(MemoryStorage.withMembers(ConfState.ofVoters(ids)));
        }
        return ofStorages(ss, seed, tweak);
    }

    /**
     * One node per storage: node {@code i + 1} uses {@code storages.get(i)} (which must already
     * hold its membership, e.g. {@code MemoryStorage.withMembers(...)} plus any log/hard state).
     */
    public static TestNetwork ofStorages(List<MemoryStorage> storages, long seed, Consumer<RaftConfig> tweak) {
        TestNetwork nt = new TestNetwork(seed, tweak);
        for (int i = 0; i < storages.size(); i++) {
            nt.addNode(i + 1, storages.get(i));
        }
        return nt;
    }

    /**
     * Starts a node {@code id} on {@code storage} (e.g. a node being added to the group; use
     * {@code MemoryStorage.withMembers(foundingConf)} so it can replay the log, or an empty
     * {@code new MemoryStorage()} to be caught up by snapshot). Does not stabilize.
     */
    public RawNode addNode(long id, MemoryStorage storage) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException("node " + id + " already exists");
        }
        storages.put(id, storage);
        applied.put(id, new ArrayList<>());
        readStates.put(id, new ArrayList<>());
        confChangeErrors.put(id, new ArrayList<>());
        appliedIndex.put(id, storage.snapshot().index());
        incarnations.put(id, 0);
        RawNode n = new RawNode(newConfig(id, storage, 0));
        nodes.put(id, n);
        return n;
    }

    /**
     * Restarts node {@code id} from what its storage holds (its unpersisted state is lost, but this
     * harness persists every Ready, so only volatile state goes). The new node is created with
     * {@code applied = 0}: committed entries after the storage's snapshot are handed out again,
     * conf changes among them re-applied, and {@link #applied(long)} only records entries above the
     * previously applied index (an idempotent state machine). Does not stabilize.
     */
    public RawNode restart(long id) {
        MemoryStorage s = storage(id);
        int inc = incarnations.merge(id, 1, Integer::sum);
        appliedIndex.put(id, Math.max(appliedIndex.get(id), s.snapshot().index()));
        RawNode n = new RawNode(newConfig(id, s, inc));
        nodes.put(id, n);
        return n;
    }

    /** Removes node {@code id} from the network (messages to it are dropped from now on). */
    public void removeNode(long id) {
        nodes.remove(id);
    }

    private RaftConfig newConfig(long id, MemoryStorage storage, int incarnation) {
        RaftConfig c = RaftConfig.of(id, storage)
                .electionTick(ELECTION_TICK)
                .heartbeatTick(1)
                .random(new Random(seed * 1_000_003L + id * 7919L + incarnation));
        tweak.accept(c);
        return c;
    }

    // ------------------------------------------------------------------ accessors

    public RawNode node(long id) {
        RawNode n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return n;
    }

    /** The node's {@link Raft} (package-private state for assertions). */
    Raft raft(long id) {
        return node(id).raft();
    }

    public Set<Long> ids() {
        return nodes.keySet();
    }

    public MemoryStorage storage(long id) {
        MemoryStorage s = storages.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return s;
    }

    /** Every committed entry node {@code id} applied, in order (empty and conf change entries included). */
    public List<Entry> applied(long id) {
        return applied.get(id);
    }

    /** Payloads (UTF-8) of the non-empty NORMAL entries node {@code id} applied, in order. */
    public List<String> appliedData(long id) {
        List<String> out = new ArrayList<>();
        for (Entry e : applied.get(id)) {
            if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                out.add(new String(e.data(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Highest index node {@code id} applied (entry or snapshot). */
    public long appliedIndex(long id) {
        return appliedIndex.get(id);
    }

    /** Read states node {@code id} received, in order. */
    public List<ReadState> readStates(long id) {
        return readStates.get(id);
    }

    /** Messages of conf changes that node {@code id} failed to apply. */
    public List<String> confChangeErrors(long id) {
        return confChangeErrors.get(id);
    }

    /** Every message that passed the filters, in delivery order (cleared by {@link #clearDelivered()}). */
    public List<Message> delivered() {
        return delivered;
    }

    public void clearDelivered() {
        delivered.clear();
    }

    /** Called with every Ready handled (after it was handled, before its messages are queued). */
    public void onReady(Consumer<Ready> listener) {
        this.readyListener = listener == null ? rd -> { } : listener;
    }

    /** The id of the leader with the highest term, or 0 if there is none. */
    public long leader() {
        long best = 0;
        long bestTerm = -1;
        for (Map.Entry<Long, RawNode> e : nodes.entrySet()) {
            Raft r = e.getValue().raft();
            if (r.state == StateType.LEADER && r.term > bestTerm) {
                best = e.getKey();
                bestTerm = r.term;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ driving

    /**
     * Delivers the given messages as they are (like etcd's {@code network.send}, the faults do not
     * apply to messages a test injects, only to those the nodes produce; a message to an unknown
     * node is dropped), then stabilizes.
     */
    public void send(Message... msgs) {
        for (Message m : msgs) {
            if (nodes.containsKey(m.to())) {
                delivered.add(m);
                queue.addLast(m);
            }
        }
        stabilize();
    }

    /** Delivers a HUP to {@code id} and stabilizes. */
    public void campaign(long id) {
        send(Message.builder(MessageType.HUP).from(id).to(id).build());
    }

    /**
     * Lets node {@code id} win an election now: ends every node's startup vote fence (see
     * {@link #endStartupFence()}), campaigns, stabilizes and checks that {@code id} is leader.
     *
     * @throws IllegalStateException if it did not win
     */
    public void elect(long id) {
        endStartupFence();
        campaign(id);
        if (leader() != id) {
            throw new IllegalStateException("node " + id + " did not win the election:\n" + this);
        }
    }

    /**
     * With CheckQuorum on, a freshly (re)started node refuses (pre-)votes for its first election
     * timeout ({@code Raft.promised()}, to keep leader leases sound across restarts), so
     * {@link #campaign(long)} on a brand-new network fails unless the nodes ticked for an election
     * timeout first. This ends that fence on every node at once, as if they had been up for a while
     * without hearing from a leader.
     */
    public void endStartupFence() {
        for (RawNode n : nodes.values()) {
            n.raft().endPromise();
        }
    }

    /** Proposes {@code data} (UTF-8) at node {@code id} through {@link RawNode#propose} and stabilizes. */
    public void propose(long id, String data) {
        node(id).propose(data.getBytes(StandardCharsets.UTF_8));
        stabilize();
    }

    /** Ticks every node once, {@code n} times, stabilizing after each round. */
    public void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            for (RawNode node : new ArrayList<>(nodes.values())) {
                node.tick();
            }
            stabilize();
        }
    }

    /** Ticks node {@code id} {@code n} times, stabilizing after each tick. */
    public void tick(long id, int n) {
        for (int i = 0; i < n; i++) {
            node(id).tick();
            stabilize();
        }
    }

    /** Processes queued messages and pending Readys until there is nothing left. */
    public void stabilize() {
        int guard = 0;
        while (true) {
            for (long id : new ArrayList<>(nodes.keySet())) {
                drainReady(id);
            }
            if (queue.isEmpty()) {
                return;
            }
            while (!queue.isEmpty()) {
                if (++guard > 1_000_000) {
                    throw new IllegalStateException("network did not quiesce");
                }
                Message m = queue.pollFirst();
                RawNode n = nodes.get(m.to());
                if (n == null) {
                    continue;
                }
                if (m.type().isLocal()) {
                    n.raft().step(m);
                } else {
                    n.step(m);
                }
                drainReady(m.to());
            }
        }
    }

    private void drainReady(long id) {
        RawNode n = nodes.get(id);
        if (n == null) {
            return;
        }
        while (n.hasReady()) {
            Ready rd = n.ready();
            MemoryStorage s = storages.get(id);
            if (!rd.snapshot().isEmpty()) {
                s.applySnapshot(rd.snapshot());
            }
            s.append(rd.entries());
            if (rd.hardState() != null) {
                s.setHardState(rd.hardState());
            }
            if (!rd.snapshot().isEmpty()) {
                appliedIndex.merge(id, rd.snapshot().index(), Math::max);
            }
            for (Entry e : rd.committedEntries()) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    try {
                        n.applyConfChange(RawNode.confChangeOf(e));
                    } catch (ConfChangeException ex) {
                        confChangeErrors.get(id).add(ex.getMessage());
                    }
                }
                if (e.index() > appliedIndex.get(id)) {
                    applied.get(id).add(e);
                    appliedIndex.put(id, e.index());
                }
            }
            readStates.get(id).addAll(rd.readStates());
            n.advance(rd);
            readyListener.accept(rd);
            for (Message m : rd.messages()) {
                enqueue(m);
            }
        }
    }

    private void enqueue(Message m) {
        if (!nodes.containsKey(m.to()) || ignored.contains(m.type())) {
            return;
        }
        Double p = dropLinks.get(link(m.from(), m.to()));
        if (p != null && (p >= 1.0 || dropRandom.nextDouble() < p)) {
            return;
        }
        for (Predicate<Message> pred : dropPredicates) {
            if (pred.test(m)) {
                return;
            }
        }
        delivered.add(m);
        queue.addLast(m);
    }

    // ------------------------------------------------------------------ faults

    private static long link(long from, long to) {
        return from * 1_000_003L + to;
    }

    /** Drops messages from {@code from} to {@code to} with {@code probability} (seeded coin). */
    public void drop(long from, long to, double probability) {
        dropLinks.put(link(from, to), probability);
    }

    /** Drops every message between {@code a} and {@code b}, both ways. */
    public void cut(long a, long b) {
        drop(a, b, 1.0);
        drop(b, a, 1.0);
    }

    /** Cuts {@code id} off from every other node. */
    public void isolate(long id) {
        for (long other : nodes.keySet()) {
            if (other != id) {
                cut(id, other);
            }
        }
    }

    /** Drops every message of this type. */
    public void ignore(MessageType t) {
        ignored.add(t);
    }

    /** Drops every message matching {@code p}. */
    public void dropIf(Predicate<Message> p) {
        dropPredicates.add(p);
    }

    /** Removes every fault: drops, cuts, isolations, ignored types and predicates. */
    public void recover() {
        dropLinks.clear();
        ignored.clear();
        dropPredicates.clear();
    }

    // ------------------------------------------------------------------ helpers for tests

    /** UTF-8 bytes of {@code s}. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether every node's log (stable + unstable) holds the same entries up to its last index. */
    public boolean logsMatch() {
        List<Entry> ref = null;
        for (RawNode n : nodes.values()) {
            RaftLog l = n.raft().raftLog;
            List<Entry> ents = l.slice(l.firstIndex(), l.lastIndex() + 1, RaftLog.NO_LIMIT);
            if (ref == null) {
                ref = ents;
            } else if (!ref.equals(ents)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Long, RawNode> e : nodes.entrySet()) {
            Raft r = e.getValue().raft();
            b.append(e.getKey()).append(": ").append(r.state).append(" t").append(r.term).append(" lead=")
                    .append(r.lead).append(' ').append(r.raftLog).append('\n');
        }
        return b.toString();
    }
}
