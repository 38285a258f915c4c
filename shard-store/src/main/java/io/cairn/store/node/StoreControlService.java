package io.cairn.store.node;

import io.cairn.meta.proto.ChangeMembershipRequest;
import io.cairn.meta.proto.ChangeMembershipResponse;
import io.cairn.meta.proto.MembershipAction;
import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.meta.proto.StoreTransferLeaderRequest;
import io.cairn.meta.proto.StoreTransferLeaderResponse;
import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.NotLeaderException;
import io.cairn.raft.runtime.RaftRuntime;
import io.grpc.stub.StreamObserver;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The StoreControl service of a store node (meta-service's {@code store_control.proto}): what the
 * meta leader asks of the store that leads a group. Served next to the StoreService, on its port.
 * Never blocks a gRPC thread: everything runs from the runtime's futures and the stores' timer
 * thread ({@code StoreServiceImpl.TIMERS}).
 *
 * <p><b>TransferLeader.</b> The store checks that it leads the group (else {@code not_leader}
 * with the leader it knows) and that the target is a voter, asks its Raft runtime for the
 * transfer and then polls the group's status every {@value #POLL_MS} ms until the target leads
 * ({@code leader_id}, with the new term), another store took over, or {@code timeout_ms} passed.
 * The Raft core itself aborts a transfer after one election timeout (proposals are refused while
 * it runs), so a target that is cut off costs at most that pause.
 *
 * <p><b>ChangeMembership.</b> Adds a learner, voter or observer or removes a replica through the
 * group's Raft configuration. Idempotent: a change already in place is answered {@code done} at
 * once. {@code ADD_LEARNER} is in place when the store is a learner or already a voter (it never
 * demotes), so a repeated add after a promotion does not undo it.
 */
final class StoreControlService extends StoreControlGrpc.StoreControlImplBase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreControlService.class);
    /** Longest a membership change may take before it is answered as failed. */
    private static final long MEMBERSHIP_TIMEOUT_MS = 10_000;
    private static final long POLL_MS = 10;

    private final long nodeId;
    private final RaftRuntime runtime;
    private final long defaultTimeoutMillis;

    /** Slot migration's part: the groups' state machines and channels to other stores. */
    private final SlotMigrationControl migrations;

    StoreControlService(long nodeId, RaftRuntime runtime, long defaultTimeoutMillis) {
        this(nodeId, runtime, defaultTimeoutMillis, null);
    }

    StoreControlService(long nodeId, RaftRuntime runtime, long defaultTimeoutMillis,
                        SlotMigrationControl migrations) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
        this.migrations = migrations;
    }

    /** One step of a slot migration: see {@link SlotMigrationControl}. */
    @Override
    public void migrateSlots(MigrateSlotsRequest req, StreamObserver<MigrateSlotsResponse> out) {
        if (migrations == null) {
            reply(out, MigrateSlotsResponse.newBuilder().setError("slot migration is not served here").build());
            return;
        }
        migrations.step(req).whenComplete((r, err) -> reply(out, err == null ? r
                : MigrateSlotsResponse.newBuilder().setError(unwrap(err).toString()).build()));
    }

    @Override
    public void close() {
        if (migrations != null) {
            migrations.close();
        }
    }

    @Override
    public void transferLeader(StoreTransferLeaderRequest req, StreamObserver<StoreTransferLeaderResponse> out) {
        long group = req.getGroupId();
        long to = req.getToStore();
        long timeout = req.getTimeoutMs() == 0 ? defaultTimeoutMillis : req.getTimeoutMs();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        runtime.status(group).thenCompose(s -> {
            if (s.role() != StateType.LEADER) {
                return done(StoreTransferLeaderResponse.newBuilder().setNotLeader(s.leader()).build());
            }
            if (to == nodeId) {
                return done(leads(s));
            }
            if (!s.membership().voters().contains(to)) {
                return done(error("store " + to + " is not a voter of group " + group + " (voters: "
                        + new java.util.TreeSet<>(s.membership().voters()) + ")"));
            }
            LOG.info("group {}: handing the leadership from store {} to store {}", group, nodeId, to);
            return runtime.transferLeader(group, to).thenCompose(v -> awaitLeader(group, to, deadline, timeout));
        }).whenComplete((r, err) -> {
            if (err == null) {
                reply(out, r);
            } else {
                Throwable e = unwrap(err);
                reply(out, error(e instanceof IllegalArgumentException ? e.getMessage() : e.toString()));
            }
        });
    }

    /** Polls the group's status until {@code to} leads, another store does, or the deadline. */
    private CompletableFuture<StoreTransferLeaderResponse> awaitLeader(long group, long to, long deadline,
                                                                     long timeout) {
        CompletableFuture<StoreTransferLeaderResponse> result = new CompletableFuture<>();
        poll(group, to, deadline, timeout, result);
        return result;
    }

    private void poll(long group, long to, long deadline, long timeout,
                      CompletableFuture<StoreTransferLeaderResponse> result) {
        runtime.status(group).whenComplete((s, err) -> {
            if (err != null) {
                result.completeExceptionally(err);
            } else if (s.leader() == to && s.role() != StateType.LEADER) {
                result.complete(StoreTransferLeaderResponse.newBuilder().setLeaderId(to).setTerm(s.term()).build());
            } else if (s.leader() != 0 && s.leader() != to && s.leader() != nodeId) {
                result.complete(error("group " + group + ": store " + s.leader() + " took over instead of store "
                        + to));
            } else if (System.nanoTime() - deadline >= 0) {
                result.complete(error("group " + group + ": store " + to + " did not take over within " + timeout
                        + " ms (still led by store " + (s.leader() == 0 ? "none" : s.leader()) + ")"));
            } else {
                // on the stores' one timer thread: transfers are rare and a poll only asks for a status
                StoreServiceImpl.TIMERS.schedule(() -> poll(group, to, deadline, timeout, result), POLL_MS,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private static StoreTransferLeaderResponse leads(GroupStatus s) {
        return StoreTransferLeaderResponse.newBuilder().setLeaderId(s.nodeId()).setTerm(s.term()).build();
    }

    private static CompletableFuture<StoreTransferLeaderResponse> done(StoreTransferLeaderResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static StoreTransferLeaderResponse error(String message) {
        return StoreTransferLeaderResponse.newBuilder().setError(message).build();
    }

    @Override
    public void changeMembership(ChangeMembershipRequest req, StreamObserver<ChangeMembershipResponse> out) {
        long group = req.getGroupId();
        if (!runtime.groupIds().contains(group)) {
            reply(out, ChangeMembershipResponse.newBuilder().build()); // not here: ask another replica
            return;
        }
        runtime.status(group).thenCompose(st -> change(st, req))
                .orTimeout(MEMBERSHIP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .whenComplete((r, err) -> {
                    if (err == null) {
                        reply(out, r);
                        return;
                    }
                    Throwable e = unwrap(err);
                    if (e instanceof NotLeaderException nl) {
                        reply(out, ChangeMembershipResponse.newBuilder().setLeaderId(nl.leaderHint()).build());
                    } else {
                        reply(out, ChangeMembershipResponse.newBuilder().setError(e.toString()).build());
                    }
                });
    }

    private CompletableFuture<ChangeMembershipResponse> change(GroupStatus st, ChangeMembershipRequest req) {
        long group = st.groupId();
        long store = req.getStoreId();
        if (st.role() != StateType.LEADER) {
            return CompletableFuture.completedFuture(ChangeMembershipResponse.newBuilder().setLeaderId(st.leader()).build());
        }
        ConfState cs = st.membership();
        if (inPlace(cs, store, req.getAction())) {
            return CompletableFuture.completedFuture(done(cs, st.commitIndex()));
        }
        if (cs.isJoint()) {
            return CompletableFuture.completedFuture(ChangeMembershipResponse.newBuilder()
                    .setError("group " + group + " is in a joint configuration " + cs + "; retry").build());
        }
        ConfChangeSingle single = switch (req.getAction()) {
            case ADD_LEARNER -> ConfChangeSingle.addLearner(store);
            case ADD_VOTER -> ConfChangeSingle.addVoter(store);
            case ADD_OBSERVER -> ConfChangeSingle.addObserver(store);
            case REMOVE -> ConfChangeSingle.remove(store);
            default -> null;
        };
        if (single == null) {
            return CompletableFuture.completedFuture(ChangeMembershipResponse.newBuilder()
                    .setError("unknown membership action: " + req.getAction()).build());
        }
        if (req.getAction() == MembershipAction.REMOVE && store == runtime.nodeId()) {
            // A leader does not remove itself: it hands the leadership to another voter, which the
            // meta leader then asks again.
            long to = cs.voters().stream().filter(v -> v != store).findFirst().orElse(0L);
            if (to == 0) {
                return CompletableFuture.completedFuture(ChangeMembershipResponse.newBuilder()
                        .setError("group " + group + " has no other voter to lead it").build());
            }
            LOG.info("group {}: handing leadership to {} before leaving the group", group, to);
            return runtime.transferLeader(group, to)
                    .thenApply(v -> ChangeMembershipResponse.newBuilder().setLeaderId(to).build());
        }
        LOG.info("group {}: {} of node {} (membership {})", group, req.getAction(), store, cs);
        return runtime.changeMembership(group, ConfChange.of(single))
                .thenCompose(next -> runtime.status(group))
                .thenApply(now -> done(now.membership(), now.commitIndex()));
    }

    static boolean inPlace(ConfState cs, long store, MembershipAction action) {
        boolean voter = cs.voters().contains(store);
        return switch (action) {
            case ADD_LEARNER -> voter || cs.learners().contains(store);
            case ADD_VOTER -> voter && !cs.isJoint();
            case ADD_OBSERVER -> cs.observers().contains(store);
            case REMOVE -> !voter && !cs.votersOutgoing().contains(store) && !cs.learners().contains(store)
                    && !cs.learnersNext().contains(store) && !cs.observers().contains(store);
            default -> false;
        };
    }

    private static ChangeMembershipResponse done(ConfState cs, long commit) {
        return ChangeMembershipResponse.newBuilder().setDone(true)
                .addAllVoters(new TreeSet<>(cs.voters())).addAllLearners(new TreeSet<>(cs.learners()))
                .addAllObservers(new TreeSet<>(cs.observers())).setCommitIndex(commit).build();
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        try {
            out.onNext(value);
            out.onCompleted();
        } catch (RuntimeException e) {
            LOG.debug("response dropped (the call was cancelled): {}", e.toString());
        }
    }

    private static Throwable unwrap(Throwable err) {
        return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    }
}
