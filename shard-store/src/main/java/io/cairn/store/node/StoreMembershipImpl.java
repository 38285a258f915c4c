package io.cairn.store.node;

import io.cairn.meta.proto.ChangeMembershipRequest;
import io.cairn.meta.proto.ChangeMembershipResponse;
import io.cairn.meta.proto.MembershipAction;
import io.cairn.meta.proto.StoreMembershipGrpc;
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
 * The meta leader's handle on the Raft configuration of the groups this node leads
 * (meta_service.proto {@code StoreMembership}). Never blocks: it runs on the event loop of the
 * store's gRPC server and completes from the runtime's futures.
 *
 * <p>Idempotent: a change already in place is answered {@code done} at once. {@code ADD_LEARNER}
 * is in place when the store is a learner or already a voter (it never demotes), so a repeated
 * add after a promotion does not undo it.
 */
final class StoreMembershipImpl extends StoreMembershipGrpc.StoreMembershipImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(StoreMembershipImpl.class);
    private static final long TIMEOUT_MS = 10_000;

    private final RaftRuntime runtime;

    StoreMembershipImpl(RaftRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void changeMembership(ChangeMembershipRequest req, StreamObserver<ChangeMembershipResponse> out) {
        long group = req.getGroupId();
        if (!runtime.groupIds().contains(group)) {
            reply(out, ChangeMembershipResponse.newBuilder().build()); // not here: ask another replica
            return;
        }
        runtime.status(group).thenCompose(st -> change(st, req))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .whenComplete((r, err) -> {
                    if (err == null) {
                        reply(out, r);
                        return;
                    }
                    Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
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
            LOG.debug("response dropped: {}", e.toString());
        }
    }
}
