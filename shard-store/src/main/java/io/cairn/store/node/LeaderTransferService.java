package io.cairn.store.node;

import io.cairn.meta.proto.StoreControlGrpc;
import io.cairn.meta.proto.StoreTransferLeaderRequest;
import io.cairn.meta.proto.StoreTransferLeaderResponse;
import io.cairn.raft.core.StateType;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.RaftRuntime;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The StoreControl service of a store node (meta-service's {@code store_control.proto}): the meta
 * leader asks the store leading a group to hand the leadership to another voter.
 *
 * <p>The store checks that it leads the group (else {@code not_leader} with the leader it knows)
 * and that the target is a voter, asks its Raft runtime for the transfer and then polls the
 * group's status every {@value #POLL_MS} ms until the target leads ({@code leader_id}, with the
 * new term), another store took over, or {@code timeout_ms} passed. The Raft core itself aborts a
 * transfer after one election timeout (proposals are refused while it runs), so a target that is
 * cut off costs at most that pause. Never blocks a gRPC thread: everything runs from futures and
 * one shared timer thread.
 */
final class LeaderTransferService extends StoreControlGrpc.StoreControlImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderTransferService.class);
    private static final long POLL_MS = 10;
    /** One daemon thread for every store of the JVM: transfers are rare and polls are cheap. */
    private static final ScheduledExecutorService POLLS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-leader-transfer");
        t.setDaemon(true);
        return t;
    });

    private final long nodeId;
    private final RaftRuntime runtime;
    private final long defaultTimeoutMillis;

    LeaderTransferService(long nodeId, RaftRuntime runtime, long defaultTimeoutMillis) {
        this.nodeId = nodeId;
        this.runtime = runtime;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
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
            StoreTransferLeaderResponse answer = r;
            if (err != null) {
                Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                answer = error(e instanceof IllegalArgumentException ? e.getMessage() : e.toString());
            }
            try {
                out.onNext(answer);
                out.onCompleted();
            } catch (RuntimeException dropped) {
                LOG.debug("transfer-leader response dropped: {}", dropped.toString());
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
                POLLS.schedule(() -> poll(group, to, deadline, timeout, result), POLL_MS, TimeUnit.MILLISECONDS);
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
}
