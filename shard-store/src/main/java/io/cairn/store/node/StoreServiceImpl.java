package io.cairn.store.node;

import com.google.protobuf.UnsafeByteOperations;
import io.cairn.raft.core.ProposalDroppedException;
import io.cairn.raft.runtime.GroupStatus;
import io.cairn.raft.runtime.NotLeaderException;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.store.types.CommandFlag;
import io.cairn.store.types.CommandSpec;
import io.cairn.store.types.CommandTable;
import io.cairn.store.types.Errors;
import io.cairn.store.types.Reply;
import io.cairn.store.types.Slots;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.ExecuteResponse;
import io.cairn.store.node.proto.GroupInfo;
import io.cairn.store.node.proto.NotLeader;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StatusRequest;
import io.cairn.store.node.proto.StatusResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.node.proto.WrongGroup;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.ShardStateMachines;
import io.cairn.store.replica.SlotMoving;
import io.cairn.store.node.proto.ExportSlotsRequest;
import io.cairn.store.node.proto.ExportSlotsResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.cairn.store.replica.StoreCommand;
import io.cairn.store.resp.RespEncoder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The StoreService of one node: runs the commands of a request on the groups hosted here.
 *
 * <ul>
 *   <li>Unknown commands and wrong arities are answered with Redis's error, nothing proposed.</li>
 *   <li>A command for a group not hosted here, or for a key whose slot that group does not own
 *       ({@link SlotOwnership}: the static assignment, or the meta service's map), is answered
 *       WRONG_GROUP with that map's version.</li>
 *   <li>Writes are wrapped in a {@link StoreCommand} with the leader's clock and a fresh seed and
 *       proposed; the reply is the state machine's.</li>
 *   <li>Reads wait for a ReadIndex barrier (linearizable, on any replica) unless
 *       {@code stale_ok}, then run on a snapshot of the local state: on the read pool, or
 *       inline on the calling thread when the command is a cheap one ({@link #runsInline}) and
 *       its barrier has already passed (a leader's lease answered it on this thread, see
 *       {@link RaftRuntime#readIndex}). Inline, a GET costs no thread hop on the store: over
 *       Netty it runs on the event loop that received the call, in-process
 *       ({@code cairn dev}) on the gateway's thread that made it.</li>
 * </ul>
 *
 * The commands of a request run concurrently, as futures (no thread per command); the response
 * lists their results in request order once all are done.
 *
 * <p>Time-out: a command without an outcome after {@code request.timeout.ms} is answered
 * {@code error "timeout: ..."} only if its group applied nothing meanwhile
 * ({@link ShardStateMachine#applyProgress()}); while the group keeps applying, the command keeps
 * waiting, checked again every {@code request.timeout.ms}. So a slow but working group (a deep
 * queue of expensive commands) answers late instead of failing writes that will still commit,
 * and a stuck one (no quorum, a leader cut off) still answers within about two time-outs.
 */
final class StoreServiceImpl extends StoreServiceGrpc.StoreServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(StoreServiceImpl.class);

    private final StoreConfig config;
    private final SlotOwnership ownership;
    private final RaftRuntime runtime;
    private final ShardStateMachines stateMachines;
    private final Executor reads;
    private final CommandTable table = CommandTable.standard();

    StoreServiceImpl(StoreConfig config, SlotOwnership ownership, RaftRuntime runtime,
                     ShardStateMachines stateMachines, Executor reads) {
        this.config = config;
        this.ownership = ownership;
        this.runtime = runtime;
        this.stateMachines = stateMachines;
        this.reads = reads;
    }

    @Override
    public void execute(ExecuteRequest request, StreamObserver<ExecuteResponse> response) {
        int protocol = request.getProtocol() == 0 ? RespEncoder.RESP2 : request.getProtocol();
        if (protocol != RespEncoder.RESP2 && protocol != RespEncoder.RESP3) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("protocol " + protocol + " (expected: 2 or 3)").asRuntimeException());
            return;
        }
        int n = request.getCommandsCount();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        @SuppressWarnings("unchecked")
        CompletableFuture<Result>[] results = new CompletableFuture[n];
        Map<Long, GroupOrder> order = new HashMap<>();
        Watch watch = new Watch();
        for (int i = 0; i < n; i++) {
            Command c = request.getCommands(i);
            CompletableFuture<Result> f;
            try {
                f = executeOne(c, protocol, order, deadline, watch);
            } catch (RuntimeException e) {
                f = CompletableFuture.completedFuture(failure(e));
            }
            results[i] = f;
        }
        for (GroupOrder o : order.values()) {
            o.flush();
        }
        watch.arm();
        CompletableFuture.allOf(results).whenComplete((ok, err) -> {
            ExecuteResponse.Builder b = ExecuteResponse.newBuilder();
            for (CompletableFuture<Result> r : results) {
                // Each future completes normally (failures are results), so join never throws.
                b.addResults(r.join());
            }
            try {
                response.onNext(b.build());
                response.onCompleted();
            } catch (RuntimeException e) {
                // The call was cancelled meanwhile: nobody is listening.
                LOG.debug("execute response dropped: {}", e.toString());
            }
        });
    }

    /**
     * Per-group order inside one request, as one client connection's pipeline expects: writes
     * are proposed in request order (and so enter the Raft log in it), a read starts once the
     * writes before it in the same group are done, a write once the reads before it are. Commands
     * of different groups do not wait for each other; neither do consecutive reads or writes.
     */
    private final class GroupOrder {
        final long groupId;
        final ShardStateMachine sm;
        final Watch watch;
        CompletableFuture<?> lastWrite = CompletableFuture.completedFuture(null);
        /** Completes once the previous run of writes of the group is queued at the group's proposer. */
        CompletableFuture<?> writeSubmitted = CompletableFuture.completedFuture(null);
        final List<CompletableFuture<?>> readsSinceWrite = new ArrayList<>();
        /** Consecutive writes not sent on yet: they go once a read of the group, the end or a limit comes. */
        WriteRun run;

        GroupOrder(long groupId, ShardStateMachine sm, Watch watch) {
            this.groupId = groupId;
            this.sm = sm;
            this.watch = watch;
        }

        /** Sends the pending writes on to the group's proposer, if any. */
        void flush() {
            if (run != null) {
                run.submit(proposers.computeIfAbsent(groupId, Proposer::new), sm, watch);
                run = null;
            }
        }
    }

    /** Most argument bytes in one batch entry (a longer run is split; one big write goes alone). */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    /**
     * Consecutive writes of one request to one group (no read of the group between them). Once its
     * gate opens (the request's earlier commands of the group), the run goes to the group's
     * {@link Proposer}, which proposes it together with whatever other runs wait there as one Raft
     * entry. Each write keeps its own session, result and (in apply) its own exactly-once check.
     */
    private final class WriteRun {
        final CompletableFuture<?> gate;
        /** Completes once the run is queued at its group's proposer: the next run of the request may follow. */
        final CompletableFuture<Void> submitted = new CompletableFuture<>();
        final List<Command> commands = new ArrayList<>();
        final List<byte[][]> argvs = new ArrayList<>();
        final List<CompletableFuture<Reply>> replies = new ArrayList<>();
        /** Completes when the run's entry is applied (or failed): the request's watch follows it. */
        final CompletableFuture<Object> outcome = new CompletableFuture<>();
        long bytes;

        WriteRun(CompletableFuture<?> gate) {
            this.gate = gate;
        }

        boolean full() {
            return commands.size() >= StoreCommand.MAX_BATCH || bytes >= MAX_BATCH_BYTES;
        }

        CompletableFuture<Reply> add(Command c, byte[][] argv) {
            commands.add(c);
            argvs.add(argv);
            for (byte[] a : argv) {
                bytes += a.length;
            }
            CompletableFuture<Reply> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        /** Hands the run to {@code proposer} once the gate opens. */
        void submit(Proposer proposer, ShardStateMachine sm, Watch watch) {
            // the watch fails the outcome on a time-out: then every command's too
            outcome.whenComplete((v, err) -> {
                if (err != null) {
                    replies.forEach(r -> r.completeExceptionally(err));
                }
            });
            watch.add(sm, outcome);
            after(gate, () -> {
                proposer.submit(this, sm);
                submitted.complete(null);
                return outcome;
            });
        }

        /** The results of the run's commands, from {@code from} on in the entry's {@code results}. */
        void complete(List<?> results, int from, Throwable err) {
            for (int i = 0; i < replies.size(); i++) {
                Object r = err == null ? results.get(from + i) : null;
                if (err != null) {
                    replies.get(i).completeExceptionally(err);
                } else if (r instanceof SlotMoving m) {
                    replies.get(i).completeExceptionally(m);
                } else {
                    replies.get(i).complete((Reply) r);
                }
            }
            if (err != null) {
                outcome.completeExceptionally(err);
            } else {
                outcome.complete(null);
            }
        }
    }

    /** Entries of client writes a group may have proposed and not yet applied (the rest wait and merge). */
    static final int PROPOSALS_IN_FLIGHT = Integer.getInteger("cairn.store.proposals.in.flight", 1);

    /** Each hosted group's proposer (made on first use; a group hosted again gets its old one back). */
    private final Map<Long, Proposer> proposers = new ConcurrentHashMap<>();

    /**
     * The client writes of one group on their way to Raft: at most {@link #PROPOSALS_IN_FLIGHT}
     * entries proposed and not yet applied; runs that arrive meanwhile (from any request) wait
     * here and leave together as one entry when one is applied. So the number of Raft rounds
     * adapts to the load: under light load every run goes at once, under heavy load each round
     * carries everything that arrived during the previous one, and the per-round costs (a log
     * write and fsync on every replica, the messages, a dozen thread hand-offs) are paid once for
     * all of it instead of once per request. Runs leave in arrival order, so a request's runs
     * for the group (queued one after the other, see {@link WriteRun#submitted}) stay in order.
     * Per group, not per store: a slow group holds back only its own writes.
     */
    private final class Proposer {
        final long groupId;
        private final ArrayDeque<WriteRun> waiting = new ArrayDeque<>();
        /** Entries proposed and not yet applied (each a slot), oldest first. */
        private final ArrayDeque<Flight> flights = new ArrayDeque<>();

        /** One in-flight slot: when its entry was proposed; {@code over} once freed (guarded by the proposer). */
        private static final class Flight {
            long proposedNanos = System.nanoTime();
            boolean over;
        }

        Proposer(long groupId) {
            this.groupId = groupId;
        }

        void submit(WriteRun run, ShardStateMachine sm) {
            if (sm.leaderId() != config.nodeId()) {
                // not the leader here (as far as this replica knows): no waiting, NOT_LEADER at once
                propose(List.of(run));
                return;
            }
            Flight flight;
            synchronized (this) {
                waiting.add(run);
                // A proposal without an outcome for a whole request time-out (its replica lost the
                // leadership and the entry is still in its log, say) no longer holds writes back.
                long now = System.nanoTime();
                while (!flights.isEmpty() && now - flights.peekFirst().proposedNanos
                        > TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis())) {
                    flights.pollFirst().over = true;
                }
                if (flights.size() >= PROPOSALS_IN_FLIGHT) {
                    return;
                }
                flight = new Flight();
                flights.add(flight);
            }
            proposeNext(flight);
        }

        /**
         * Proposes what waits as one entry (within the batch limits) in {@code flight}'s slot, and
         * again when that entry is applied; frees the slot when nothing waits.
         */
        private void proposeNext(Flight flight) {
            List<WriteRun> runs = new ArrayList<>();
            synchronized (this) {
                if (flight.over) {
                    return; // given up on (see submit): the slot went to a newer proposal
                }
                int n = 0;
                long bytes = 0;
                while (!waiting.isEmpty()) {
                    WriteRun r = waiting.peekFirst();
                    if (r.outcome.isDone()) {
                        waiting.pollFirst(); // timed out while waiting (answered "timeout"): never proposed
                        continue;
                    }
                    if (!runs.isEmpty() && (n + r.commands.size() > StoreCommand.MAX_BATCH
                            || bytes + r.bytes > MAX_BATCH_BYTES)) {
                        break;
                    }
                    runs.add(waiting.pollFirst());
                    n += r.commands.size();
                    bytes += r.bytes;
                }
                if (runs.isEmpty()) {
                    flight.over = true;
                    flights.remove(flight);
                    return;
                }
                flight.proposedNanos = System.nanoTime();
            }
            propose(runs).whenComplete((v, err) -> proposeNext(flight));
        }

        /** Proposes {@code runs} as one entry; the future completes once their commands have their results. */
        private CompletableFuture<Object> propose(List<WriteRun> runs) {
            long now = System.currentTimeMillis();
            List<StoreCommand> cmds = new ArrayList<>();
            for (WriteRun r : runs) {
                for (int i = 0; i < r.commands.size(); i++) {
                    Command c = r.commands.get(i);
                    cmds.add(new StoreCommand(c.getSession(), c.getSeq(), c.getAcked(), now,
                            ThreadLocalRandom.current().nextLong(), r.argvs.get(i), c.getMapVersion()));
                }
            }
            CompletableFuture<Object> applied;
            try {
                byte[] data = cmds.size() == 1 ? cmds.get(0).encode() : StoreCommand.encodeBatch(cmds);
                applied = runtime.propose(groupId, data);
            } catch (RuntimeException e) {
                applied = CompletableFuture.failedFuture(e); // answered per command by failure()
            }
            return applied.whenComplete((result, err) -> {
                List<?> results = err != null ? null
                        : result instanceof List<?> l ? l : Collections.singletonList(result);
                int from = 0;
                for (WriteRun r : runs) {
                    r.complete(results, from, err);
                    from += r.commands.size();
                }
            });
        }
    }

    private CompletableFuture<Result> executeOne(Command c, int protocol, Map<Long, GroupOrder> order,
                                                 long deadline, Watch watch) {
        int argc = c.getArgvCount();
        if (argc == 0) {
            return done(resp(new Reply.Err("ERR empty command"), protocol));
        }
        byte[][] argv = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            argv[i] = c.getArgv(i).toByteArray();
        }
        if (argc == 3 && io.cairn.store.types.Args.nameIs(argv[0], "wait")) { // not the data model's
            return waitCommand(c, argv, protocol, order, watch);
        }
        CommandSpec spec = table.lookup(argv[0]);
        if (spec == null) {
            return done(resp(CommandTable.unknownCommand(argv), protocol));
        }
        if (!spec.arityOk(argc)) {
            return done(resp(Errors.wrongArity(spec.name()).reply(), protocol));
        }
        long groupId = c.getGroupId();
        SlotOwnership.Snapshot owner = ownership.now();
        ShardStateMachine sm = stateMachines.get(groupId);
        if (sm == null || !owner.hosts(groupId)) {
            return done(wrongGroup(owner));
        }
        long routed = c.getMapVersion();
        if (!spec.flags().contains(CommandFlag.KEYLESS)) {
            for (int pos : spec.keyPositions(argv)) {
                int slot = Slots.slot(argv[pos]);
                // A slot just committed to this group may be missing from this node's map while the
                // caller's newer map names it: the group's slot state decides (again in apply).
                if (!owner.owns(groupId, slot) && !(routed > owner.mapVersion() && sm.releasedFor(slot, routed))) {
                    return done(wrongGroup(owner));
                }
            }
        }
        GroupOrder o = order.computeIfAbsent(groupId, g -> new GroupOrder(g, sm, watch));
        CompletableFuture<Reply> reply;
        if (spec.isWrite()) {
            if (o.run != null && o.run.full()) {
                o.flush();
            }
            if (o.run == null) {
                CompletableFuture<?> gate = o.readsSinceWrite.isEmpty() ? o.writeSubmitted
                        : CompletableFuture.allOf(o.writeSubmitted,
                                CompletableFuture.allOf(o.readsSinceWrite.toArray(CompletableFuture[]::new)));
                o.run = new WriteRun(gate);
                o.writeSubmitted = o.run.submitted;
                o.readsSinceWrite.clear();
            }
            reply = o.run.add(c, argv);
            o.lastWrite = reply;
        } else {
            o.flush(); // the read waits for the writes before it: they must be on their way
            boolean inline = runsInline(spec, argc);
            reply = after(o.lastWrite, c.getStaleOk()
                    ? () -> inline ? readNow(sm, argv, routed)
                            : CompletableFuture.supplyAsync(() -> sm.read(argv, routed), reads)
                    : () -> {
                        CompletableFuture<Long> barrier = watch.add(sm, readBarrier(groupId, deadline));
                        if (inline && barrier.isDone() && !barrier.isCompletedExceptionally()) {
                            return readNow(sm, argv, routed);
                        }
                        return barrier.thenApplyAsync(applied -> sm.read(argv, routed), reads);
                    });
            o.readsSinceWrite.add(reply);
        }
        return reply.handle((r, err) -> err == null ? resp(r, protocol) : failure(err));
    }

    /**
     * {@code WAIT numreplicas timeout} for a group, as a gateway sends it to the group of a
     * connection's last write (arguments checked there): after the writes before it in this call,
     * the leader takes an index at or after every write already acknowledged
     * ({@link io.cairn.raft.runtime.RaftRuntime#votersHolding}) and answers how many other
     * voters' logs hold it, once at least {@code numreplicas} do or when
     * the timeout ends (timeout 0, "for ever" in Redis, and any longer one end at
     * {@code request.timeout.ms}). Not the leader: NOT_LEADER, and the gateway asks the leader.
     */
    private CompletableFuture<Result> waitCommand(Command c, byte[][] argv, int protocol,
                                                  Map<Long, GroupOrder> order, Watch watch) {
        long groupId = c.getGroupId();
        SlotOwnership.Snapshot owner = ownership.now();
        ShardStateMachine sm = stateMachines.get(groupId);
        if (sm == null || !owner.hosts(groupId)) {
            return done(wrongGroup(owner));
        }
        long want;
        long timeoutMillis;
        try {
            want = io.cairn.store.types.Args.parseLong(argv[1]);
            timeoutMillis = io.cairn.store.types.Args.parseLong(argv[2]);
        } catch (io.cairn.store.types.RedisException e) {
            return done(resp(e.reply(), protocol));
        }
        long cap = config.requestTimeoutMillis();
        long waitMillis = timeoutMillis <= 0 ? cap : Math.min(timeoutMillis, cap);
        GroupOrder o = order.computeIfAbsent(groupId, g -> new GroupOrder(g, sm, watch));
        o.flush(); // the writes before it are on their way
        CompletableFuture<Reply> reply = after(o.lastWrite, () -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            CompletableFuture<Reply> out = new CompletableFuture<>();
            // Ends it even if a poll is never answered (the group's worker stopped, the node closes).
            java.util.concurrent.ScheduledFuture<?> guard = TIMERS.schedule(
                    () -> out.completeExceptionally(new TimeoutException("WAIT got no count from group " + groupId)),
                    waitMillis + 1000, TimeUnit.MILLISECONDS);
            out.whenComplete((r, e) -> guard.cancel(false));
            runtime.votersHolding(groupId, -1).whenComplete((r, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    pollVoters(groupId, r[0], r[1], want, deadline, 1, out);
                }
            });
            return out;
        });
        o.readsSinceWrite.add(reply); // a later write of this call goes after it
        return reply.handle((r, err) -> err == null ? resp(r, protocol) : failure(err));
    }

    /** Asks again after {@code delayMillis}, doubling up to 16 ms, until enough or the deadline. */
    private void pollVoters(long groupId, long index, long have, long want, long deadline,
                            long delayMillis, CompletableFuture<Reply> out) {
        if (out.isDone()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (have >= want || left <= 0) {
            out.complete(Reply.integer(have));
            return;
        }
        long delay = Math.min(delayMillis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        TIMERS.schedule(() -> runtime.votersHolding(groupId, index).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                pollVoters(groupId, index, r[1], want, deadline, Math.min(16, delayMillis * 2), out);
            }
        }), delay, TimeUnit.MILLISECONDS);
    }

    /** Arguments (name included) above which even a fast read (MGET, EXISTS, HMGET...) goes to the read pool. */
    static final int INLINE_MAX_ARGS = 34;

    /**
     * Whether a read may run on the thread that received the request once its barrier passed:
     * only commands that are O(1) or O(log N) here ({@link CommandFlag#FAST} and not
     * {@link CommandFlag#WALKS}; GET, HGET, EXISTS, TTL, TYPE, STRLEN, SISMEMBER, ZSCORE, LLEN...)
     * and with at most {@link #INLINE_MAX_ARGS}
     * arguments, so that an event loop is never held up by a read: KEYS, SCAN, ZRANGE, LRANGE,
     * SMEMBERS, HGETALL and the like stay on the read pool.
     */
    static boolean runsInline(CommandSpec spec, int argc) {
        return spec.flags().contains(CommandFlag.FAST) && spec.flags().contains(CommandFlag.READONLY)
                && !spec.flags().contains(CommandFlag.WALKS) && argc <= INLINE_MAX_ARGS;
    }

    /** Reads run inline on the calling thread ({@link #runsInline}), since start. */
    private final java.util.concurrent.atomic.LongAdder inlineReads = new java.util.concurrent.atomic.LongAdder();

    long inlineReads() {
        return inlineReads.sum();
    }

    /** Runs a read on this thread; a failure becomes the future's, as on the read pool. */
    private CompletableFuture<Reply> readNow(ShardStateMachine sm, byte[][] argv, long routed) {
        inlineReads.increment();
        try {
            return CompletableFuture.completedFuture(sm.read(argv, routed));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The time-out of one request's commands (see the class comment). It watches what waits on a
     * group: proposals (until applied) and read barriers, not a read's local execution once its
     * barrier passed. Every {@code request.timeout.ms} from the request's arrival, the watched
     * futures still open are failed with a {@link TimeoutException}, except those whose group's
     * {@link ShardStateMachine#applyProgress()} moved since the last look. Failing the future does
     * not withdraw a proposal: a write timed out here may still be applied, and its retry with the
     * same (session, seq) is deduplicated. Futures are added from the request's thread and from
     * completion callbacks, hence the lock.
     */
    private final class Watch {
        /**
         * A watched future and its group's apply progress at the last look; -1: none yet (added
         * after the request arrived: it gets at least one whole time-out from its first look).
         */
        private static final class Watched {
            final ShardStateMachine sm;
            final CompletableFuture<?> future;
            long baseline;

            Watched(ShardStateMachine sm, CompletableFuture<?> future, long baseline) {
                this.sm = sm;
                this.future = future;
                this.baseline = baseline;
            }
        }

        private final List<Watched> watched = new ArrayList<>();
        private boolean armed;
        /** The request's commands are all submitted: the first look may be scheduled. */
        private boolean started;

        /** Watches {@code f} (a proposal or read barrier of {@code sm}'s group); returns it. */
        synchronized <T> CompletableFuture<T> add(ShardStateMachine sm, CompletableFuture<T> f) {
            if (!f.isDone()) {
                watched.add(new Watched(sm, f, started ? -1 : sm.applyProgress()));
                if (started) {
                    schedule();
                }
            }
            return f;
        }

        /** All commands of the request are submitted (some may add futures later). */
        synchronized void arm() {
            started = true;
            if (!watched.isEmpty()) {
                schedule();
            }
        }

        private void schedule() {
            if (!armed) {
                armed = true;
                lookLater(this);
            }
        }

        void check() {
            List<CompletableFuture<?>> expired = new ArrayList<>();
            synchronized (this) {
                armed = false;
                Map<Long, Long> now = new HashMap<>();
                var it = watched.iterator();
                while (it.hasNext()) {
                    Watched w = it.next();
                    long progress = now.computeIfAbsent(w.sm.group(), g -> w.sm.applyProgress());
                    if (w.future.isDone()) {
                        it.remove();
                    } else if (progress == w.baseline) {
                        expired.add(w.future);
                        it.remove();
                    } else {
                        w.baseline = progress;
                    }
                }
                if (!watched.isEmpty()) {
                    schedule();
                }
            }
            // Outside the lock: failing a future runs the commands waiting on it.
            for (CompletableFuture<?> f : expired) {
                f.completeExceptionally(new TimeoutException());
            }
        }
    }

    /** A {@link Watch} and when its next look is due ({@link System#nanoTime()}). */
    private record Look(long dueNanos, Watch watch) {
    }

    /**
     * Looks due, in the order they were asked for. Every look is due {@code request.timeout.ms}
     * after it was asked for, so this order is (up to the moment two threads raced to add) the
     * order they fall due in: a sweep takes them from the head while they are due, and no
     * per-request timer task is made (at 20,000 requests/s those tasks were 2% of the CPU).
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Look> looks = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** A sweep is scheduled: only while looks are queued, so an idle store has no timer task. */
    private final java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean();

    /** Asks for {@code w.check()} one time-out from now (at most a sweep period later). */
    private void lookLater(Watch w) {
        looks.add(new Look(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis()), w));
        if (sweeping.compareAndSet(false, true)) {
            TIMERS.schedule(this::sweep, sweepPeriodMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A time-out fires at most this late: an eighth of it, between 1 and 100 ms. */
    private long sweepPeriodMillis() {
        return Math.max(1, Math.min(100, config.requestTimeoutMillis() / 8));
    }

    private void sweep() {
        long now = System.nanoTime();
        Look look;
        while ((look = looks.peek()) != null && look.dueNanos() - now <= 0) {
            looks.poll();
            try {
                look.watch().check();
            } catch (RuntimeException e) {
                LOG.warn("request time-out check failed", e);
            }
        }
        sweeping.set(false);
        // A look added after the loop either sees the flag down and schedules, or is seen here.
        if (!looks.isEmpty() && sweeping.compareAndSet(false, true)) {
            TIMERS.schedule(this::sweep, sweepPeriodMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs {@code next} once {@code gate} is done (whatever its outcome); at once if it is. */
    private static <T> CompletableFuture<T> after(CompletableFuture<?> gate,
                                                  Supplier<CompletableFuture<T>> next) {
        if (gate.isDone()) {
            return next.get();
        }
        return gate.handle((v, e) -> null).thenCompose(v -> next.get());
    }

    /**
     * ReadIndex, retried while this replica is the leader but cannot serve it yet (a read caught
     * in the hand-over to this node's own leadership fails with this node as the hint).
     */
    private CompletableFuture<Long> readBarrier(long groupId, long deadline) {
        CompletableFuture<Long> index = runtime.readIndex(groupId);
        if (index.isDone() && !index.isCompletedExceptionally()) {
            return index; // a lease read answered on this thread: nothing to retry
        }
        return index.handle((applied, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(applied);
            }
            Throwable e = unwrap(err);
            if (e instanceof NotLeaderException nle && nle.leaderHint() == config.nodeId()
                    && System.nanoTime() + RETRY_DELAY_NANOS < deadline) {
                return CompletableFuture.supplyAsync(() -> null, RETRY_DELAY).thenCompose(v -> readBarrier(groupId,
                        deadline));
            }
            return CompletableFuture.<Long>failedFuture(e);
        }).thenCompose(f -> f);
    }

    private static final long RETRY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * One daemon thread for every store of the JVM: sweeps each store's due request watches and
     * runs their cheap checks there (and StoreControlService's leadership-transfer polls). Not
     * {@code CompletableFuture.delayedExecutor}: on a machine with fewer than 3 cores its default
     * executor starts a new thread for every task, which under load (a task per Execute call) cost
     * 15-20% of the CPU of {@code cairn dev}.
     */
    static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-timers");
        t.setDaemon(true);
        return t;
    });
    private static final Executor RETRY_DELAY = r -> TIMERS.schedule(r, 2, TimeUnit.MILLISECONDS);

    private static Throwable unwrap(Throwable err) {
        Throwable e = err;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static CompletableFuture<Result> done(Result r) {
        return CompletableFuture.completedFuture(r);
    }

    private static Result resp(Reply r, int protocol) {
        // The encoder's shared arrays are never modified, so wrapping them without a copy is safe.
        return Result.newBuilder().setResp(UnsafeByteOperations.unsafeWrap(RespEncoder.encode(r, protocol))).build();
    }

    private static Result wrongGroup(SlotOwnership.Snapshot owner) {
        return Result.newBuilder().setWrongGroup(WrongGroup.newBuilder().setMapVersion(owner.mapVersion())).build();
    }

    private Result failure(Throwable err) {
        Throwable e = unwrap(err);
        if (e instanceof SlotMoving) {
            return Result.newBuilder().setWrongGroup(WrongGroup.newBuilder()
                    .setMapVersion(ownership.now().mapVersion()).setMoving(true)).build();
        }
        if (e instanceof NotLeaderException nle && nle.leaderHint() == config.nodeId()) {
            // Leadership is changing on this very node: the outcome is unknown, retry here.
            return Result.newBuilder().setError("leadership changing on node " + config.nodeId() + ", retry").build();
        }
        if (e instanceof NotLeaderException nle) {
            return Result.newBuilder().setNotLeader(notLeader(nle.leaderHint())).build();
        }
        if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("is not hosted")) {
            return wrongGroup(ownership.now()); // the group went away between the check and the call
        }
        String text;
        if (e instanceof TimeoutException) {
            text = "timeout: no outcome, and the group applied nothing for " + config.requestTimeoutMillis()
                    + " ms";
        } else if (e instanceof ProposalDroppedException) {
            text = "proposal dropped: " + e.getMessage();
        } else {
            LOG.warn("command failed", e);
            text = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return Result.newBuilder().setError(text).build();
    }

    /** Largest chunk of an export (bytes of items per message; one ingest entry at the target). */
    static final int EXPORT_CHUNK_BYTES = 1 << 20;

    /**
     * ExportSlots (docs/slot-migration.md, COPY): on the group's leader, after a read barrier,
     * streams the slots from one snapshot on a thread of {@link #EXPORTS}, as fast as the caller
     * takes the messages (gRPC flow control: the exporter waits while the stream is not ready).
     */
    @Override
    public void exportSlots(ExportSlotsRequest req, StreamObserver<ExportSlotsResponse> response) {
        if (!(response instanceof ServerCallStreamObserver<ExportSlotsResponse> call)) {
            // a plain object call (not through gRPC) has no flow control to follow
            response.onError(Status.UNIMPLEMENTED.withDescription("ExportSlots is served over gRPC only")
                    .asRuntimeException());
            return;
        }
        Object ready = new Object();
        call.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        call.setOnCancelHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        long groupId = req.getGroupId();
        ShardStateMachine sm = stateMachines.get(groupId);
        int first = req.getFirstSlot();
        int last = req.getLastSlot();
        if (sm == null || first > last || last >= Slots.COUNT) {
            sendLast(call, ExportSlotsResponse.newBuilder().setError(sm == null
                    ? "group " + groupId + " is not hosted on store " + config.nodeId()
                    : "bad slot range " + first + "-" + last).build());
            return;
        }
        if (sm.leaderId() != config.nodeId()) {
            sendLast(call, ExportSlotsResponse.newBuilder().setNotLeader(notLeader(sm.leaderId())).build());
            return;
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        // The final round after FREEZE: once this replica applied the freeze entry, no later entry can
        // change the frozen slots, so its own state is complete without a read barrier.
        long frozen = req.getFrozenIndex();
        CompletableFuture<Long> gate = frozen != 0 && sm.appliedIndex() >= frozen
                ? CompletableFuture.completedFuture(sm.appliedIndex()) : readBarrier(groupId, deadline);
        gate.whenCompleteAsync((applied, err) -> {
            long barrier = System.nanoTime();
            if (err != null) {
                Result r = failure(err);
                sendLast(call, r.hasNotLeader() ? ExportSlotsResponse.newBuilder().setNotLeader(r.getNotLeader()).build()
                        : ExportSlotsResponse.newBuilder().setError("read barrier: " + r.getError()).build());
                return;
            }
            try {
                int chunk = Math.min(EXPORT_CHUNK_BYTES, config.maxMessageBytes() / 2);
                long index = sm.export(first, last, req.getAttempt(), req.getSinceIndex(), req.getWithSessions(), chunk,
                        c -> {
                            awaitReady(call, ready);
                            call.onNext(ExportSlotsResponse.newBuilder().setIndex(c.index())
                                    .addAllItems(c.items().stream().map(UnsafeByteOperations::unsafeWrap).toList())
                                    .setKeys(c.keys()).build());
                        });
                awaitReady(call, ready);
                sendLast(call, ExportSlotsResponse.newBuilder().setIndex(index).setLast(true).build());
                LOG.debug("group {}: exported slots {}-{} since {}{}: barrier {} ms, export {} ms", groupId, first, last,
                        req.getSinceIndex(), req.getWithSessions() ? " with sessions" : "",
                        (barrier - start) / 1_000_000, (System.nanoTime() - barrier) / 1_000_000);
            } catch (RuntimeException e) {
                if (call.isCancelled()) {
                    LOG.debug("group {}: export cancelled by the caller", groupId);
                    return;
                }
                LOG.info("group {}: export of slots {}-{} failed: {}", groupId, first, last, e.toString());
                sendLast(call, ExportSlotsResponse.newBuilder().setError(e.getMessage() == null ? e.toString()
                        : e.getMessage()).build());
            }
        }, EXPORTS);
    }

    /** Waits until the stream takes a message (flow control); throws once the call is cancelled. */
    private static void awaitReady(ServerCallStreamObserver<?> call, Object ready) {
        synchronized (ready) {
            while (!call.isReady()) {
                if (call.isCancelled()) {
                    throw Status.CANCELLED.withDescription("export cancelled").asRuntimeException();
                }
                try {
                    ready.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
                }
            }
        }
    }

    private static void sendLast(StreamObserver<ExportSlotsResponse> call, ExportSlotsResponse r) {
        try {
            call.onNext(r);
            call.onCompleted();
        } catch (RuntimeException e) {
            LOG.debug("export response dropped: {}", e.toString());
        }
    }

    private NotLeader notLeader(long leaderId) {
        NotLeader.Builder nl = NotLeader.newBuilder().setLeaderId(leaderId);
        String leader = ownership.now().serviceAddress(leaderId);
        if (leader != null) {
            nl.setLeaderAddress(leader);
        }
        return nl.build();
    }

    /** Runs slot exports and copies (rare and long: one per migration copy round). */
    static final java.util.concurrent.ExecutorService EXPORTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "store-migration");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        List<CompletableFuture<GroupStatus>> parts = new ArrayList<>();
        for (long g : runtime.groupIds()) {
            parts.add(runtime.status(g).orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS));
        }
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((ok, err) -> {
            SlotOwnership.Snapshot owner = ownership.now();
            StatusResponse.Builder b = StatusResponse.newBuilder().setNodeId(config.nodeId())
                    .setMapVersion(owner.mapVersion());
            List<GroupStatus> statuses = new ArrayList<>();
            for (CompletableFuture<GroupStatus> p : parts) {
                if (!p.isCompletedExceptionally()) {
                    statuses.add(p.join());
                }
            }
            statuses.sort((x, y) -> Long.compare(x.groupId(), y.groupId()));
            for (GroupStatus s : statuses) {
                GroupInfo.Builder gi = GroupInfo.newBuilder().setGroupId(s.groupId()).setRole(s.role().name())
                        .setLeaderId(s.leader()).setTerm(s.term()).setCommitIndex(s.commitIndex())
                        .setAppliedIndex(s.appliedIndex()).setLastIndex(s.lastIndex())
                        .addAllVoters(s.membership().voters()).addAllLearners(s.membership().learners())
                        .setHibernating(s.hibernating());
                gi.addAllSlots(owner.slotRanges(s.groupId()));
                b.addGroups(gi);
            }
            try {
                response.onNext(b.build());
                response.onCompleted();
            } catch (RuntimeException e) {
                LOG.debug("status response dropped: {}", e.toString());
            }
        });
    }

}
