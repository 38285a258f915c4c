package io.cairn.raft.runtime;

import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.LeaseRead;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.core.ProposalDroppedException;
import io.cairn.raft.core.RawNode;
import io.cairn.raft.core.ReadState;
import io.cairn.raft.core.Ready;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.core.SoftState;
import io.cairn.raft.core.StateType;
import io.cairn.raft.core.Status;
import io.cairn.raft.core.confchange.ConfChangeException;
import io.cairn.raft.core.tracker.Progress;
import io.cairn.raft.storage.GroupLogStorage;
import io.cairn.raft.storage.LogWriteBatch;
import io.cairn.raft.transport.GroupMessage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of one group on this node: the Raft core plus what the runtime tracks around it
 * (proposals awaiting their result, reads awaiting the applied index, hibernation). Owned by one
 * {@link Worker}: every method runs on that worker's thread, except the apply tasks, which run on
 * the group's apply executor and post their outcome back, and the lease-read accessors
 * ({@link #publishedLease()}, {@link #appliedIndex()}, {@link #noteLeaseRead()}), which any thread
 * may call.
 */
final class GroupReplica {

    private record PendingProposal(long term, CompletableFuture<Object> future, boolean confChange) {
    }

    final long groupId;
    private final RaftRuntime rt;
    private final Worker worker;
    final GroupLogStorage storage;
    final RawNode node;
    private final StateMachine stateMachine;
    private final Executor applier;

    private final TreeMap<Long, PendingProposal> proposals = new TreeMap<>();
    /** ReadIndex requests given to the core, by context id: each serves every read batched into it. */
    private final Map<Long, List<CompletableFuture<Long>>> reads = new HashMap<>();
    /** Reads received this worker iteration, sent to the core as ONE ReadIndex by {@link #flushReads()}. */
    private final List<CompletableFuture<Long>> readBatch = new ArrayList<>();
    private final TreeMap<Long, List<CompletableFuture<Long>>> readWaiters = new TreeMap<>();
    private long nextReadId = 1;

    /** Index the state machine has applied (written by the apply thread). */
    private volatile long applied;
    /** Index handed to the apply thread so far. */
    private long dispatched;
    private long lastLeader;

    boolean hibernating;
    private int idleTicks;

    /**
     * The leader lease as readers on other threads may use it ({@link RaftRuntime#readIndex}),
     * or null. Written by the worker only: by {@link #publishLease()} before each Ready is taken
     * (so before the Ready's committed entries go to apply, and before its messages — a
     * TIMEOUT_NOW among them — leave the node), and set to null by {@link #withdrawLease()} as the
     * first thing on every event that ends the lease early.
     */
    private volatile LeaseRead lease;
    /** Set by readers served from {@link #lease}: reads keep the group awake like requests do. */
    private volatile boolean leaseReadSinceTick;

    /** Snapshots received from leaders, by index, until the core hands one out (or supersedes them). */
    private final TreeMap<Long, Path> receivedSnapshots = new TreeMap<>();
    /** The newest snapshot this replica can send to followers, and its index. */
    private Path latestSnapshotDir;
    private long latestSnapshotIndex;
    /** Snapshot directories being streamed to followers, with how many transfers use each. */
    private final Map<Path, Integer> sending = new HashMap<>();
    /** Superseded snapshot directories still being streamed: deleted when their last transfer ends. */
    private final java.util.Set<Path> retired = new java.util.HashSet<>();
    /** The same, written on the worker and read by the apply thread to decide when to snapshot. */
    private volatile long latestSnapshotIndexVolatile;

    GroupReplica(long groupId, RaftRuntime rt, Worker worker, GroupLogStorage storage, RawNode node,
                 StateMachine stateMachine, Executor applier, long applied) {
        this.groupId = groupId;
        this.rt = rt;
        this.worker = worker;
        this.storage = storage;
        this.node = node;
        this.stateMachine = stateMachine;
        this.applier = applier;
        this.applied = applied;
        this.dispatched = applied;
        this.latestSnapshotIndex = storage.snapshotMetadata().index();
        this.latestSnapshotIndexVolatile = latestSnapshotIndex;
        Path dir = rt.snapshotDir(groupId, latestSnapshotIndex);
        this.latestSnapshotDir = latestSnapshotIndex > 0 && java.nio.file.Files.isDirectory(dir) ? dir : null;
    }

    // ------------------------------------------------------------------ inputs (worker thread)

    /** Ticks the node, unless it has been idle long enough to hibernate instead. */
    void tick() {
        if (leaseReadSinceTick) {
            leaseReadSinceTick = false;
            idleTicks = 0;
        }
        idleTicks++;
        int hibernateAfter = rt.options().hibernateAfterTicks();
        // Decided before ticking: a leader's tick always produces heartbeats.
        if (hibernateAfter > 0 && idleTicks >= hibernateAfter && canHibernate()) {
            withdrawLease(); // the core drops its lease: a frozen clock must not stretch it
            node.hibernate();
            hibernating = true;
            return;
        }
        node.tick();
    }

    /** Resumes ticking after hibernation, and restarts the idle count. */
    void wake() {
        idleTicks = 0;
        if (hibernating) {
            hibernating = false;
            worker.activate(this);
        }
    }

    private boolean canHibernate() {
        if (!proposals.isEmpty() || !reads.isEmpty() || !readBatch.isEmpty() || !readWaiters.isEmpty()
                || dispatched != applied || node.hasReady()) {
            return false;
        }
        Status st = node.status();
        long last = node.lastIndex();
        if (st.hardState().commit() != last || applied != last) {
            return false;
        }
        if (st.softState().raftState() == StateType.LEADER) {
            if (st.leadTransferee() != 0) {
                return false;
            }
            for (Map.Entry<Long, Progress> e : st.progress().entrySet()) {
                if (e.getValue().match != last) {
                    return false;
                }
            }
            return true;
        }
        // A follower sleeps only while its leader's node is reachable: otherwise it must stay awake
        // to time out and elect.
        return st.softState().raftState() == StateType.FOLLOWER && st.softState().lead() != 0
                && rt.transport().isConnected(st.softState().lead());
    }

    void step(Message m) {
        // Heartbeats of a live leader keep a hibernating group asleep; anything else wakes it.
        if (m.type() != MessageType.HEARTBEAT && m.type() != MessageType.HEARTBEAT_RESP) {
            wake();
        }
        if (m.term() > node.term()) {
            withdrawLease(); // a higher term: this node may step down (republished if it does not)
        }
        node.step(m);
    }

    /** The leader as of the last Ready (0 if unknown). */
    long leader() {
        return lastLeader;
    }

    void stepSnapshot(Message m, Path dir) {
        wake();
        Path previous = receivedSnapshots.put(m.snapshot().index(), dir);
        if (previous != null && !previous.equals(dir)) {
            RaftRuntime.deleteQuietly(previous); // a retried transfer of the same snapshot
        }
        node.step(m);
    }

    /** Proposals received this worker iteration, proposed together by {@link #flushProposals()}. */
    private final List<byte[]> batchData = new ArrayList<>();
    private final List<CompletableFuture<Object>> batchFutures = new ArrayList<>();

    void propose(byte[] data, CompletableFuture<Object> future) {
        wake();
        if (!node.isLeader()) {
            future.completeExceptionally(new NotLeaderException(groupId, node.leaderId()));
            return;
        }
        batchData.add(data);
        batchFutures.add(future);
    }

    /**
     * Proposes everything received since the last flush as one batch: one append per follower
     * instead of one per proposal (called by the worker once per loop iteration).
     */
    void flushProposals() {
        if (batchData.isEmpty()) {
            return;
        }
        List<byte[]> data = new ArrayList<>(batchData);
        List<CompletableFuture<Object>> futures = new ArrayList<>(batchFutures);
        batchData.clear();
        batchFutures.clear();
        if (!node.isLeader()) {
            NotLeaderException e = new NotLeaderException(groupId, node.leaderId());
            futures.forEach(f -> f.completeExceptionally(e));
            return;
        }
        try {
            node.proposeBatch(data);
        } catch (ProposalDroppedException e) {
            futures.forEach(f -> f.completeExceptionally(e));
            return;
        }
        long first = node.lastIndex() - data.size() + 1;
        long term = node.term();
        for (int i = 0; i < futures.size(); i++) {
            track(first + i, new PendingProposal(term, futures.get(i), false));
        }
    }

    void proposeConfChange(ConfChange cc, CompletableFuture<Object> future) {
        wake();
        if (!node.isLeader()) {
            future.completeExceptionally(new NotLeaderException(groupId, node.leaderId()));
            return;
        }
        try {
            node.proposeConfChange(cc);
        } catch (ProposalDroppedException e) {
            future.completeExceptionally(e);
            return;
        }
        track(node.lastIndex(), new PendingProposal(node.term(), future, true));
    }

    /**
     * Records a proposal appended at {@code index}. A proposal still pending at the same index was
     * truncated from this log (a new entry now sits there), so it failed: answer it now rather than
     * orphan its future.
     */
    private void track(long index, PendingProposal p) {
        PendingProposal old = proposals.put(index, p);
        if (old != null) {
            old.future().completeExceptionally(new NotLeaderException(groupId, lastLeader));
        }
    }

    void readIndex(CompletableFuture<Long> future) {
        wake();
        readBatch.add(future);
    }

    /**
     * Asks the core for one ReadIndex serving every read received since the last flush (called by
     * the worker once per loop iteration, like {@link #flushProposals()}): one heartbeat round per
     * group per iteration instead of one per read. Sound because each of those reads arrived
     * before this request is made, so the index the core returns (its commit index once leadership
     * is confirmed) covers every write acknowledged before any of them began.
     */
    void flushReads() {
        if (readBatch.isEmpty()) {
            return;
        }
        List<CompletableFuture<Long>> batch = new ArrayList<>(readBatch);
        readBatch.clear();
        long id = nextReadId++;
        // The leader keeps pending ReadIndex requests by context and ignores a duplicate, so the
        // context must be unique across the replicas that forward to it: (node id, request id).
        byte[] ctx = ByteBuffer.allocate(16).putLong(rt.nodeId()).putLong(id).array();
        long leaseReadsBefore = node.leaseReads();
        try {
            // With a lease the core answers at once (a ReadState in the next Ready, judged by the
            // clock now); otherwise it starts a heartbeat round, or forwards to the leader.
            node.readIndex(ctx);
        } catch (ProposalDroppedException e) {
            NotLeaderException nle = new NotLeaderException(groupId, node.leaderId());
            batch.forEach(f -> f.completeExceptionally(nle));
            return;
        }
        rt.countReads(batch.size(), node.leaseReads() != leaseReadsBefore);
        reads.put(id, batch);
    }

    void transferLeader(long to) {
        wake();
        // The core fences its lease when it sends TIMEOUT_NOW (the transferee's forced votes
        // ignore the followers' promises); withdrawn already now, republished while not fenced.
        withdrawLease();
        node.transferLeader(to);
    }

    // ------------------------------------------------------------------ lease reads

    /**
     * Publishes the core's lease for readers on other threads (worker thread). Called before the
     * worker takes this group's Ready: the published index then covers every entry handed to the
     * apply thread so far, so every write acknowledged to a client before a reader looks; and an
     * event that ended the lease in the core (a fence, a step-down) is visible here before the
     * Ready's messages leave the node.
     */
    void publishLease() {
        LeaseRead now = node.leaseRead();
        if (!java.util.Objects.equals(now, lease)) {
            lease = now;
        }
    }

    /** Withdraws the published lease (worker thread): the first step of anything that ends it. */
    void withdrawLease() {
        if (lease != null) {
            lease = null;
        }
    }

    /** The published lease, or null (any thread). */
    LeaseRead publishedLease() {
        return lease;
    }

    /** The index the state machine has applied (any thread). */
    long appliedIndex() {
        return applied;
    }

    /** A read was served from the published lease (any thread): the group is not idle. */
    void noteLeaseRead() {
        if (!leaseReadSinceTick) {
            leaseReadSinceTick = true;
        }
    }

    /**
     * A read served from the published lease whose index is not applied yet (worker thread):
     * completes once it is, like a ReadIndex answer.
     */
    void awaitApplied(long index, CompletableFuture<Long> future) {
        wake();
        readWaiters.computeIfAbsent(index, k -> new ArrayList<>()).add(future);
        completeReads();
    }

    /**
     * On the leader: {@code {index, n}}, how many other voters' logs are known to hold
     * {@code index} (their match index reached it). Learners do not count. {@code index} < 0:
     * an index at or after every entry committed so far — the commit index once an entry of this
     * term is committed (entries of earlier leaders' terms that were committed lie before it),
     * else the last index. Elsewhere: {@link NotLeaderException}.
     */
    long[] votersHolding(long index) {
        if (!node.isLeader()) {
            throw new NotLeaderException(groupId, node.leaderId());
        }
        long target = index;
        if (target < 0) {
            long commit = node.commitIndex();
            target = node.termAt(commit) == node.term() ? commit : node.lastIndex();
        }
        return new long[] {target, node.othersHolding(target)};
    }

    GroupStatus status() {
        Status st = node.status();
        return new GroupStatus(groupId, rt.nodeId(), st.softState().raftState(), st.softState().lead(),
                st.hardState().term(), st.hardState().commit(), applied, node.lastIndex(), st.config(), hibernating);
    }

    // ------------------------------------------------------------------ Ready handling (worker thread)

    /** Step 1 of handling a Ready: add what must be persisted to the worker's batch. */
    void persist(LogWriteBatch batch, Ready rd) {
        if (!rd.snapshot().isEmpty()) {
            // Keep the received files where a restart looks for them before the log forgets the
            // entries they replace: if we crash before the state machine installed them, the
            // restart installs them (RaftRuntime.open).
            long index = rd.snapshot().index();
            Path received = receivedSnapshots.remove(index);
            if (received == null) {
                throw new IllegalStateException("group " + groupId + ": no received files for snapshot " + index);
            }
            RaftRuntime.moveSnapshot(received, rt.snapshotDir(groupId, index));
            // Older (or rejected) received snapshots are of no use any more.
            while (!receivedSnapshots.isEmpty() && receivedSnapshots.firstKey() <= index) {
                RaftRuntime.deleteQuietly(receivedSnapshots.pollFirstEntry().getValue());
            }
            batch.setSnapshot(groupId, rd.snapshot().metadata(), true);
        }
        if (!rd.entries().isEmpty()) {
            batch.append(groupId, rd.entries());
        }
        if (rd.hardState() != null) {
            batch.setHardState(groupId, rd.hardState());
        }
    }

    /**
     * Step 1b, right after the batch holding {@code rd} went to the log store: hands the Ready's
     * committed entries to the apply thread without waiting for that write, when they are all
     * already durable in this replica's log (none of them is among {@code rd.entries()}: the
     * group's earlier Readys were persisted before this one was taken). The write would only add
     * the new commit index to the disk, and commitment is a fact of the group, not of this disk:
     * a quorum persisted these entries. This saves one fsync wait per write round on every
     * replica (the leader acknowledges clients one fsync earlier). Not done for Readys that
     * change the leader, install a snapshot or commit a conf change (they keep their order with
     * the Raft thread's work in {@link #afterPersist}). A crash before the write leaves the state
     * machine ahead of the stored commit index; {@code RaftRuntime.open} raises it on restart.
     */
    void dispatchBeforePersist(Ready rd) {
        List<Entry> committed = rd.committedEntries();
        if (committed.isEmpty() || !rd.snapshot().isEmpty()) {
            return;
        }
        SoftState ss = rd.softState();
        if (ss != null && ss.lead() != lastLeader) {
            return;
        }
        if (!rd.entries().isEmpty()
                && committed.get(committed.size() - 1).index() >= rd.entries().get(0).index()) {
            return;
        }
        for (Entry e : committed) {
            if (e.type() == EntryType.CONF_CHANGE) {
                return;
            }
        }
        dispatchApply(committed);
        dispatchedEarly = rd;
    }

    /** The Ready whose committed entries {@link #dispatchBeforePersist} handed out; null if none. */
    private Ready dispatchedEarly;

    /**
     * Step 1c, right after the batch holding {@code rd} went to the log store: sends the leader's
     * appends, heartbeats and snapshots without waiting for that write (Raft thesis §10.2.1). The
     * followers' fsyncs then run in parallel with the leader's instead of after it; the core
     * counts the leader's own copy only when {@link #afterPersist} advances it. Messages keep
     * their order among themselves; the rest of the Ready's messages (acknowledgements, votes)
     * leave after the write, before the group's next Ready is taken.
     */
    void sendBeforePersist(Ready rd) {
        boolean any = false;
        for (Message m : rd.messages()) {
            if (rd.sendableBeforePersist(m)) {
                send(m);
                any = true;
            }
        }
        if (any) {
            sentEarly = rd;
        }
    }

    /** The Ready whose early messages {@link #sendBeforePersist} sent; null if none. */
    private Ready sentEarly;

    /**
     * Step 2 on the log writer's thread, once the batch holding {@code rd} (a Ready that waited for
     * its write) is durable: sends the messages {@link #sendBeforePersist} left, acknowledgements
     * and votes, without waiting for the Raft thread. Nothing else of the replica is touched: the
     * messages are immutable, the transport takes any thread, and the group's next messages leave
     * only after {@link #afterPersist} of this Ready, which runs after this. Returns the peers the
     * transport refused (for {@code reportUnreachable} on the Raft thread), or null if it sent
     * nothing because a snapshot is among them (sending one needs the Raft thread).
     */
    List<Long> sendAcknowledgements(Ready rd) {
        for (Message m : rd.messages()) {
            if (!rd.sendableBeforePersist(m) && m.type() == MessageType.SNAP) {
                return null;
            }
        }
        List<Long> unreachable = List.of();
        for (Message m : rd.messages()) {
            if (!rd.sendableBeforePersist(m) && !rt.transport().send(m.to(), new GroupMessage(groupId, m))) {
                if (unreachable.isEmpty()) {
                    unreachable = new ArrayList<>(2);
                }
                unreachable.add(m.to());
            }
        }
        return unreachable;
    }

    /**
     * Steps 2-4, once the batch is durable: send, apply, advance (which reports the write durable).
     * {@code acked}: null, or what {@link #sendAcknowledgements} returned for {@code rd} (its
     * messages that waited for the write are out already).
     */
    void afterPersist(Ready rd, List<Long> acked) {
        boolean early = sentEarly == rd;
        sentEarly = null;
        if (acked != null) {
            acked.forEach(node::reportUnreachable);
        }
        for (Message m : rd.messages()) {
            boolean sendable = rd.sendableBeforePersist(m);
            boolean sentBefore = early && sendable; // by sendBeforePersist
            boolean sentByWriter = acked != null && !sendable; // by sendAcknowledgements
            if (!sentBefore && !sentByWriter) {
                send(m);
            }
        }
        SoftState ss = rd.softState();
        if (ss != null && ss.lead() != lastLeader) {
            lastLeader = ss.lead();
            failPendingReads();
            long term = node.term();
            long lead = ss.lead();
            onApplier(() -> stateMachine.onLeaderChange(lead, term));
        }
        if (!rd.snapshot().isEmpty()) {
            installSnapshot(rd.snapshot().metadata());
        }
        if (!rd.committedEntries().isEmpty() && dispatchedEarly != rd) {
            dispatchApply(rd.committedEntries());
        }
        dispatchedEarly = null;
        for (ReadState rs : rd.readStates()) {
            long id = ByteBuffer.wrap(rs.requestCtx()).getLong(8);
            List<CompletableFuture<Long>> batch = reads.remove(id);
            if (batch != null) {
                readWaiters.computeIfAbsent(rs.index(), k -> new ArrayList<>()).addAll(batch);
            }
        }
        completeReads();
        failOrphanedProposals();
        node.advance(rd);
    }

    /**
     * A replica that is not the leader fails its proposals whose entry is gone from its log: the
     * new leader's log replaced the entry (another term at that index) or is shorter. Without this,
     * a proposal beyond the new leader's last index waits until the log grows that far again,
     * which in an idle group is never. Entries still in the log with the proposal's term may yet
     * be committed by the new leader; those stay pending and resolve when applied.
     */
    private void failOrphanedProposals() {
        if (proposals.isEmpty() || node.isLeader()) {
            return;
        }
        var it = proposals.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (node.termAt(e.getKey()) != e.getValue().term()) {
                it.remove();
                e.getValue().future().completeExceptionally(new NotLeaderException(groupId, lastLeader));
            }
        }
    }

    private void failPendingReads() {
        NotLeaderException e = new NotLeaderException(groupId, lastLeader);
        reads.values().forEach(batch -> batch.forEach(f -> f.completeExceptionally(e)));
        reads.clear();
    }

    private void send(Message m) {
        if (m.type() == MessageType.SNAP) {
            sendSnapshot(m);
        } else if (!rt.transport().send(m.to(), new GroupMessage(groupId, m))) {
            node.reportUnreachable(m.to());
        }
    }

    private void sendSnapshot(Message m) {
        long to = m.to();
        Path dir = latestSnapshotDir;
        if (dir == null || latestSnapshotIndex != m.snapshot().index()) {
            node.reportSnapshot(to, false);
            return;
        }
        sending.merge(dir, 1, Integer::sum);
        rt.transport().sendSnapshot(to, new GroupMessage(groupId, m), dir)
                .whenComplete((ok, err) -> worker.post(() -> {
                    if (sending.merge(dir, -1, Integer::sum) == 0) {
                        sending.remove(dir);
                        if (retired.remove(dir)) {
                            RaftRuntime.deleteQuietly(dir);
                        }
                    }
                    node.reportSnapshot(to, err == null);
                    worker.markDirty(this);
                }));
    }

    private void installSnapshot(SnapshotMetadata meta) {
        Path dir = rt.snapshotDir(groupId, meta.index()); // where persist() moved the received files
        dispatched = meta.index();
        failProposalsUpTo(meta.index());
        onApplier(() -> {
            try {
                stateMachine.installSnapshot(dir, meta);
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            applied = meta.index();
            worker.post(() -> {
                replaceLatestSnapshot(dir, meta.index());
                completeReads();
            });
        });
    }

    /** Conf changes take effect here, on the Raft thread, in log order; the rest goes to the apply thread. */
    private void dispatchApply(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.type() != EntryType.CONF_CHANGE) {
                continue;
            }
            withdrawLease(); // a lease is held against one configuration's quorums
            PendingProposal p = proposals.get(e.index());
            try {
                ConfState cs = node.applyConfChange(RawNode.confChangeOf(e));
                if (p != null && p.confChange() && p.term() == e.term()) {
                    proposals.remove(e.index());
                    p.future().complete(cs);
                }
            } catch (ConfChangeException ex) {
                // Invalid on every replica alike: nothing changes.
                if (p != null && p.term() == e.term()) {
                    proposals.remove(e.index());
                    p.future().completeExceptionally(ex);
                }
            }
        }
        dispatched = entries.get(entries.size() - 1).index();
        ConfState confAfter = node.confState();
        if (appliesInline(entries)) {
            applyEntries(entries, confAfter, false);
        } else {
            unanswered++;
            onApplier(() -> applyEntries(entries, confAfter, true));
        }
    }

    /**
     * Tasks of this group handed to the apply thread and not finished yet (raised on the worker,
     * lowered on the apply thread): while there is one, the state machine is the apply thread's.
     */
    private final AtomicInteger applierTasks = new AtomicInteger();
    /**
     * Batches handed to the apply thread whose proposals the worker has not answered yet (worker
     * thread only): a batch applied here must not be answered before them — answering it fails
     * every older proposal still pending as overwritten.
     */
    private int unanswered;

    /** Runs {@code task} on the group's apply thread, counted in {@link #applierTasks}. */
    private void onApplier(Runnable task) {
        applierTasks.incrementAndGet();
        applier.execute(() -> {
            try {
                task.run();
            } finally {
                applierTasks.decrementAndGet();
            }
        });
    }

    /**
     * Whether {@code entries} are applied here on the worker ({@link RuntimeOptions#inlineApplyBytes}):
     * a small batch, nothing of the group queued on the apply thread (so the state machine still
     * sees one batch at a time, in log order; the counter's atomic update orders the apply thread's
     * last writes before this thread's reads), every batch applied there already answered (so
     * proposals are answered in log order too), and no snapshot due after it (the apply thread's job).
     */
    private boolean appliesInline(List<Entry> entries) {
        int limit = rt.options().inlineApplyBytes();
        if (limit <= 0 || unanswered != 0 || applierTasks.get() != 0) {
            return false;
        }
        long every = rt.options().snapshotEveryEntries();
        if (every > 0 && entries.get(entries.size() - 1).index() - latestSnapshotIndexVolatile >= every) {
            return false;
        }
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.data().length;
            if (bytes > limit) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies {@code entries} (and takes a snapshot when one is due), then answers their
     * proposals on the worker: posted there from the apply thread, at once when already on it.
     */
    private void applyEntries(List<Entry> entries, ConfState confAfter, boolean onApplyThread) {
        if (applyFailed || rt.closing()) {
            // Never apply on top of a gap; when closing, leave the rest to the restart (the
            // entries are in the log, the state machine resumes from its applied index).
            return;
        }
        List<Object> results;
        long last = entries.get(entries.size() - 1).index();
        Path snap = null;
        long snapIndex = 0;
        try {
            results = stateMachine.apply(entries);
            applied = last;
            long every = rt.options().snapshotEveryEntries();
            if (every > 0 && last - latestSnapshotIndexVolatile >= every) {
                snap = rt.snapshotDir(groupId, last);
                snapIndex = stateMachine.snapshot(RaftRuntime.emptyDir(snap));
            }
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        long term = entries.get(entries.size() - 1).term();
        Path snapDir = snap;
        long snapAt = snapIndex;
        if (onApplyThread) {
            worker.post(() -> {
                unanswered--;
                onApplied(entries, results, snapDir, snapAt, term, confAfter);
            });
        } else {
            onApplied(entries, results, snapDir, snapAt, term, confAfter);
        }
    }

    private void onApplied(List<Entry> entries, List<Object> results, Path snapDir, long snapIndex, long term,
                           ConfState conf) {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            PendingProposal p = proposals.remove(e.index());
            if (p == null || p.confChange()) {
                if (p != null && p.confChange()) {
                    // The leader turned it into an empty entry: another change was pending.
                    p.future().completeExceptionally(new ProposalDroppedException(
                            ProposalDroppedException.Reason.NOT_A_MEMBER, "conf change refused: another is pending"));
                }
                continue;
            }
            if (p.term() == e.term() && e.type() == EntryType.NORMAL) {
                p.future().complete(results == null || i >= results.size() ? null : results.get(i));
            } else {
                p.future().completeExceptionally(new NotLeaderException(groupId, lastLeader));
            }
        }
        failProposalsUpTo(entries.get(entries.size() - 1).index());
        completeReads();
        if (snapDir != null) {
            recordSnapshot(snapDir, new SnapshotMetadata(snapIndex, term, conf));
        }
        worker.markDirty(this);
    }

    /** Proposals at or below an applied index that were not answered were overwritten. */
    private void failProposalsUpTo(long index) {
        while (!proposals.isEmpty() && proposals.firstKey() <= index) {
            proposals.pollFirstEntry().getValue().future()
                    .completeExceptionally(new NotLeaderException(groupId, lastLeader));
        }
    }

    private void completeReads() {
        long a = applied;
        while (!readWaiters.isEmpty() && readWaiters.firstKey() <= a) {
            for (CompletableFuture<Long> f : readWaiters.pollFirstEntry().getValue()) {
                f.complete(a);
            }
        }
    }

    private void recordSnapshot(Path dir, SnapshotMetadata meta) {
        long compactTo = meta.index() - rt.options().keepEntriesAfterSnapshot();
        LogWriteBatch b = rt.store().newBatch().setSnapshot(groupId, meta, false);
        if (compactTo >= storage.firstIndex()) {
            b.compact(groupId, compactTo);
        }
        rt.store().commit(b).whenComplete((ok, err) -> worker.post(() -> {
            if (err == null) {
                replaceLatestSnapshot(dir, meta.index());
            }
        }));
    }

    private void replaceLatestSnapshot(Path dir, long index) {
        if (index <= latestSnapshotIndex && latestSnapshotDir != null) {
            RaftRuntime.deleteQuietly(dir);
            return;
        }
        Path old = latestSnapshotDir;
        latestSnapshotDir = dir;
        latestSnapshotIndex = index;
        latestSnapshotIndexVolatile = index;
        if (old != null && !old.equals(dir)) {
            if (sending.containsKey(old)) {
                retired.add(old); // a follower is still receiving it: delete when that ends
            } else {
                RaftRuntime.deleteQuietly(old);
            }
        }
    }

    /** Set when the state machine failed (on the thread that applied); nothing more is applied. */
    private volatile boolean applyFailed;

    /**
     * The state machine failed to apply or install: this replica stops (fail-stop) rather than
     * apply later entries on top of a gap. A restart resumes from the state machine's persisted
     * applied index. Called on the thread that applied (the apply thread or the worker).
     */
    private void failed(RuntimeException e) {
        applyFailed = true;
        RaftRuntime.log().error("group {} on node {}: the state machine failed; this replica stops", groupId,
                rt.nodeId(), e);
        worker.post(() -> {
            worker.remove(groupId);
            abandon(new IllegalStateException("group " + groupId + " stopped on node " + rt.nodeId()
                    + ": its state machine failed", e));
        });
    }

    /** Fails everything still waiting (the replica is being closed or destroyed). */
    void abandon(RuntimeException why) {
        withdrawLease();
        batchFutures.forEach(f -> f.completeExceptionally(why));
        batchFutures.clear();
        batchData.clear();
        proposals.values().forEach(p -> p.future().completeExceptionally(why));
        proposals.clear();
        reads.values().forEach(batch -> batch.forEach(f -> f.completeExceptionally(why)));
        reads.clear();
        readBatch.forEach(f -> f.completeExceptionally(why));
        readBatch.clear();
        readWaiters.values().forEach(l -> l.forEach(f -> f.completeExceptionally(why)));
        readWaiters.clear();
    }

    void closeStateMachine() {
        onApplier(stateMachine::close);
    }
}
