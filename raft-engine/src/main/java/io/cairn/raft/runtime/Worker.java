package io.cairn.raft.runtime;

import io.cairn.raft.core.Ready;
import io.cairn.raft.storage.LogWriteBatch;
import io.cairn.raft.storage.RaftLogStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raft thread owning a fixed subset of the node's groups. Everything that touches those groups
 * arrives through its mailbox; no lock is shared across groups. One loop iteration: run the
 * mailbox, tick the awake groups if a tick is due, then handle the Ready of every group that
 * changed with ONE log write for all of them (which the store may merge further with other
 * workers' writes into one fsync), send the leaders' appends while it is in flight, and only once
 * it is durable send the rest, apply and advance. Readys that only move the commit index do not
 * wait for the write at all.
 */
final class Worker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final int index;
    private final RaftLogStore store;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean tickDue = new AtomicBoolean();
    private final Map<Long, GroupReplica> groups = new HashMap<>();
    /** Groups that are not hibernating: the only ones ticked. */
    private final Set<GroupReplica> awake = new LinkedHashSet<>();
    private final Set<GroupReplica> dirty = new LinkedHashSet<>();
    /** Groups whose last Ready is being written; they get no new Ready until it is durable. */
    private final Set<GroupReplica> persisting = new java.util.HashSet<>();
    private volatile boolean running = true;
    private volatile Thread thread;
    /**
     * The node's replicas by group, shared by all workers and read by any thread for lease reads
     * ({@link RaftRuntime#readIndex}); each worker adds and removes its own.
     */
    private final Map<Long, GroupReplica> shared;

    Worker(int index, RaftLogStore store, Map<Long, GroupReplica> shared) {
        this.index = index;
        this.store = store;
        this.shared = shared;
    }

    void start(String nodeName) {
        Thread t = new Thread(this, "raft-worker-" + nodeName + "-" + index);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void post(Runnable task) {
        mailbox.add(task);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void tickDue() {
        tickDue.set(true);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    // Called on the worker thread only.
    void add(GroupReplica g) {
        groups.put(g.groupId, g);
        awake.add(g);
        dirty.add(g);
        shared.put(g.groupId, g);
    }

    GroupReplica remove(long groupId) {
        GroupReplica g = groups.remove(groupId);
        if (g != null) {
            g.withdrawLease();
            shared.remove(groupId, g);
            awake.remove(g);
            dirty.remove(g);
        }
        return g;
    }

    GroupReplica group(long groupId) {
        return groups.get(groupId);
    }

    /** The status of every group of this worker, without waking or dirtying any (metrics). */
    List<GroupStatus> statuses() {
        List<GroupStatus> out = new ArrayList<>(groups.size());
        for (GroupReplica g : groups.values()) {
            out.add(g.status());
        }
        return out;
    }

    /** Ignored for a replica this worker no longer hosts (destroyed or stopped meanwhile). */
    void activate(GroupReplica g) {
        if (groups.get(g.groupId) == g) {
            awake.add(g);
        }
    }

    /** Ignored for a replica this worker no longer hosts (destroyed or stopped meanwhile). */
    void markDirty(GroupReplica g) {
        if (groups.get(g.groupId) == g) {
            dirty.add(g);
        }
    }

    /** Wakes every hibernating group that believes {@code node} leads it (the node went away). */
    void wakeGroupsLedBy(long node) {
        for (GroupReplica g : groups.values()) {
            if (g.hibernating && g.leader() == node) {
                g.wake();
            }
        }
    }

    int awakeCount() {
        return awake.size();
    }

    @Override
    public void run() {
        while (running) {
            boolean worked = false;
            Runnable task;
            while ((task = mailbox.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("task failed on {}", Thread.currentThread().getName(), e);
                }
                worked = true;
            }
            if (tickDue.getAndSet(false)) {
                List<GroupReplica> sleeping = null;
                for (GroupReplica g : awake) {
                    g.tick();
                    dirty.add(g);
                    if (g.hibernating) {
                        if (sleeping == null) {
                            sleeping = new ArrayList<>();
                        }
                        sleeping.add(g);
                    }
                }
                if (sleeping != null) {
                    sleeping.forEach(awake::remove);
                }
                worked = true;
            }
            if (!dirty.isEmpty()) {
                try {
                    handleReadies();
                } catch (RuntimeException e) {
                    // A write the store refused is a bug or a broken disk: the Readys taken cannot
                    // be advanced safely, so this worker's replicas stop rather than go on wrong.
                    log.error("handling Readys failed on {}; its replicas stop", Thread.currentThread().getName(), e);
                    running = false;
                }
                worked = true;
            }
            if (!worked) {
                LockSupport.park(this);
            }
        }
    }

    /**
     * Takes the Ready of every changed group not already being persisted and writes them in one
     * batch. The worker does not wait for the fsync: it goes on with other groups (whose Readys
     * join the next write, which the store may merge with this one), and the send/apply/advance
     * step of these groups runs when the write is durable.
     */
    private void handleReadies() {
        List<GroupReplica> handled = new ArrayList<>();
        List<Ready> readies = new ArrayList<>();
        LogWriteBatch batch = store.newBatch();
        for (GroupReplica g : dirty) {
            g.flushProposals();
            g.flushReads();
            // Before the Ready is taken: its committed entries go to apply, its messages leave.
            g.publishLease();
            if (persisting.contains(g)) {
                continue; // re-examined when its write completes
            }
            if (g.node.hasReady()) {
                Ready rd = g.node.ready();
                g.persist(batch, rd);
                handled.add(g);
                readies.add(rd);
            }
        }
        dirty.clear();
        if (handled.isEmpty()) {
            return;
        }
        if (batch.isEmpty()) {
            afterPersist(handled, readies, null);
            return;
        }
        // Only Readys with entries, a snapshot, or a new term or vote wait for the write (etcd-raft's
        // MustSync). The rest at most move the commit index, which the store writes without an
        // fsync of its own: those go on at once, as if nothing had to be written.
        List<GroupReplica> waiting = new ArrayList<>(handled.size());
        List<Ready> waitingReadies = new ArrayList<>(handled.size());
        List<GroupReplica> relaxed = new ArrayList<>();
        List<Ready> relaxedReadies = new ArrayList<>();
        for (int i = 0; i < handled.size(); i++) {
            Ready rd = readies.get(i);
            boolean mustWait = rd.mustSync() || !rd.snapshot().isEmpty();
            (mustWait ? waiting : relaxed).add(handled.get(i));
            (mustWait ? waitingReadies : relaxedReadies).add(rd);
        }
        persisting.addAll(waiting);
        // A leader's appends go out now, in parallel with its own write (thesis §10.2.1): the
        // followers' fsyncs overlap with this one instead of following it. Before the write is
        // handed over, so that they precede the acknowledgements the write's completion sends.
        for (int i = 0; i < waiting.size(); i++) {
            waiting.get(i).sendBeforePersist(waitingReadies.get(i));
        }
        // Durable before acknowledged: no acknowledgement or vote of the waiting Readys leaves the
        // node before this write completes (afterPersist), nor does the core count the leader's own copy.
        store.commit(batch).whenComplete((ok, err) -> {
            if (err == null && waiting.isEmpty()) {
                return; // nothing waits for this write: no need to wake the worker
            }
            // The acknowledgements leave right here, on the log writer's thread, as soon as the
            // write is durable: a follower's ack then does not wait for this worker to wake up
            // (one thread hand-off less on every commit's path).
            List<Long>[] unreachable = err == null ? sendAcknowledgements(waiting, waitingReadies) : null;
            post(() -> {
                if (err != null) {
                    log.error("log write failed; the replicas of this worker stop", err);
                    running = false;
                    return;
                }
                afterPersist(waiting, waitingReadies, unreachable);
            });
        });
        // Committed entries already durable here need not wait for the write (which then only
        // records the commit index); queued after the commit call, so any log-store write an
        // apply leads to (a snapshot record) is ordered after this batch.
        for (int i = 0; i < waiting.size(); i++) {
            waiting.get(i).dispatchBeforePersist(waitingReadies.get(i));
        }
        afterPersist(relaxed, relaxedReadies, null);
    }

    /**
     * On the log writer's thread, once the write holding {@code readies} is durable: sends each
     * Ready's messages that had to wait for it ({@link GroupReplica#sendAcknowledgements}). Returns,
     * per Ready, null if they were left to {@link GroupReplica#afterPersist}, else the peers found
     * unreachable (reported on the worker).
     */
    @SuppressWarnings("unchecked")
    private static List<Long>[] sendAcknowledgements(List<GroupReplica> groups, List<Ready> readies) {
        List<Long>[] unreachable = new List[groups.size()];
        for (int i = 0; i < groups.size(); i++) {
            unreachable[i] = groups.get(i).sendAcknowledgements(readies.get(i));
        }
        return unreachable;
    }

    /** {@code acked}: per Ready, what {@link #sendAcknowledgements} returned (null array: not run). */
    private void afterPersist(List<GroupReplica> handled, List<Ready> readies, List<Long>[] acked) {
        for (int i = 0; i < handled.size(); i++) {
            GroupReplica g = handled.get(i);
            persisting.remove(g);
            if (groups.get(g.groupId) != g) {
                continue; // destroyed meanwhile
            }
            g.afterPersist(readies.get(i), acked == null ? null : acked[i]);
            if (g.node.hasReady()) {
                dirty.add(g);
            }
        }
    }

    /** Stops the thread, then fails every request still waiting on this worker's replicas. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null || !t.isAlive()) {
            Runnable task;
            while ((task = mailbox.poll()) != null) {
                try {
                    task.run(); // registers late requests with their replicas, failed just below
                } catch (RuntimeException e) {
                    log.debug("task failed while stopping", e);
                }
            }
            IllegalStateException why = new IllegalStateException("the Raft runtime is closed");
            for (GroupReplica g : groups.values()) {
                g.abandon(why);
                g.closeStateMachine();
            }
        }
    }
}
