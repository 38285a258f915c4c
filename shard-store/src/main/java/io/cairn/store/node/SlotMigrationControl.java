package io.cairn.store.node;

import io.cairn.meta.proto.MigrateSlotsRequest;
import io.cairn.meta.proto.MigrateSlotsResponse;
import io.cairn.meta.proto.MigrationStep;
import io.cairn.raft.runtime.NotLeaderException;
import io.cairn.raft.runtime.RaftRuntime;
import io.cairn.raft.transport.GrpcChannels;
import io.cairn.store.node.proto.ExportSlotsRequest;
import io.cairn.store.node.proto.ExportSlotsResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.replica.ShardStateMachine;
import io.cairn.store.replica.ShardStateMachines;
import io.cairn.store.replica.StoreCommand;
import io.cairn.store.types.Args;
import io.cairn.store.types.Reply;
import io.cairn.store.types.Slots;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store side of {@code StoreControl.MigrateSlots} (docs/slot-migration.md): only the group's
 * Raft leader acts (another replica answers {@code done = false} and the leader it knows).
 *
 * <ul>
 *   <li>Every step but COPY proposes one {@code cairn.slot-step} entry and answers once it is
 *       applied: done, or the state machine's refusal as {@code error}; FREEZE answers the
 *       entry's index.</li>
 *   <li>COPY (at the target) calls {@code StoreService.ExportSlots} on {@code source_address},
 *       following a not-leader answer's address up to {@value #SOURCE_HOPS} times, and proposes
 *       every message's items as one {@code cairn.slot-ingest} entry, waiting for each before the
 *       next (the export waits for the stream through gRPC flow control, so neither side holds
 *       more than a message or two). Answers the source's snapshot index and the keys copied.</li>
 * </ul>
 *
 * Channels to source stores are opened once per address and kept until the node closes.
 */
final class SlotMigrationControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotMigrationControl.class);
    /** Source addresses tried for one COPY: the given one and the leaders it names. */
    static final int SOURCE_HOPS = 3;
    /** Longest a COPY's export stream may take. */
    static final long COPY_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);

    private final StoreConfig config;
    private final RaftRuntime runtime;
    private final ShardStateMachines stateMachines;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    SlotMigrationControl(StoreConfig config, RaftRuntime runtime, ShardStateMachines stateMachines) {
        this.config = config;
        this.runtime = runtime;
        this.stateMachines = stateMachines;
    }

    CompletableFuture<MigrateSlotsResponse> step(MigrateSlotsRequest req) {
        long group = req.getGroupId();
        int first = req.getFirstSlot();
        int last = req.getLastSlot();
        MigrationStep step = req.getStep();
        if (first > last || last >= Slots.COUNT) {
            return done(error("bad slot range " + first + "-" + last));
        }
        if (step == MigrationStep.MIGRATION_STEP_UNSPECIFIED || step == MigrationStep.UNRECOGNIZED) {
            return done(error("unknown migration step " + req.getStepValue()));
        }
        ShardStateMachine sm = stateMachines.get(group);
        if (sm == null || !runtime.groupIds().contains(group)) {
            return done(error("group " + group + " is not hosted on store " + config.nodeId()));
        }
        if (sm.leaderId() != config.nodeId()) {
            return done(MigrateSlotsResponse.newBuilder().setLeaderId(sm.leaderId()).build());
        }
        if (step == MigrationStep.COPY) {
            return CompletableFuture.supplyAsync(() -> copy(req), StoreServiceImpl.EXPORTS);
        }
        LOG.info("group {}: migration step {} of slots {}-{} (attempt {})", group, step, first, last,
                req.getAttempt());
        List<byte[]> argv = new ArrayList<>(List.of(Args.bytes(ShardStateMachine.SLOT_STEP),
                Args.bytes(ShardStateMachine.slotStepName(step.name())), Args.bytes(Integer.toString(first)),
                Args.bytes(Integer.toString(last)), Args.bytes(Long.toString(req.getAttempt()))));
        if (step == MigrationStep.PREPARE_TARGET && req.getServeAfterVersion() != 0) {
            argv.add(Args.bytes(Long.toString(req.getServeAfterVersion())));
        }
        return propose(group, argv.toArray(byte[][]::new))
                .handle((r, err) -> {
                    if (err != null) {
                        return failed(err);
                    }
                    if (r instanceof Reply.Err e) {
                        return error(e.text());
                    }
                    MigrateSlotsResponse.Builder b = MigrateSlotsResponse.newBuilder().setDone(true);
                    if (r instanceof Reply.Int i) {
                        b.setIndex(i.value());
                    }
                    return b.build();
                });
    }

    /** COPY, on a migration thread: pull from the source leader, propose ingest entries. */
    private MigrateSlotsResponse copy(MigrateSlotsRequest req) {
        long group = req.getGroupId();
        ExportSlotsRequest export = ExportSlotsRequest.newBuilder().setGroupId(req.getSourceGroup())
                .setFirstSlot(req.getFirstSlot()).setLastSlot(req.getLastSlot()).setAttempt(req.getAttempt())
                .setSinceIndex(req.getSinceIndex()).setWithSessions(req.getWithSessions())
                .setFrozenIndex(req.getFrozenIndex()).build();
        String address = req.getSourceAddress();
        long start = System.nanoTime();
        for (int hop = 0; hop < SOURCE_HOPS && !address.isEmpty(); hop++) {
            Context.CancellableContext call = Context.current().withCancellation();
            Context previous = call.attach();
            try {
                Iterator<ExportSlotsResponse> it = StoreServiceGrpc.newBlockingStub(channel(address))
                        .withDeadlineAfter(COPY_TIMEOUT_MS, TimeUnit.MILLISECONDS).exportSlots(export);
                long keys = 0;
                long firstAnswer = 0;
                long ingestNanos = 0;
                int entries = 0;
                String redirect = "";
                while (it.hasNext()) {
                    ExportSlotsResponse r = it.next();
                    if (firstAnswer == 0) {
                        firstAnswer = System.nanoTime();
                    }
                    if (r.hasNotLeader()) {
                        redirect = r.getNotLeader().getLeaderAddress();
                        break;
                    }
                    if (!r.getError().isEmpty()) {
                        return error("source group " + req.getSourceGroup() + " at " + address + ": " + r.getError());
                    }
                    if (r.getItemsCount() > 0) {
                        long t = System.nanoTime();
                        Object applied = propose(group, ingest(req, r)).get(config.requestTimeoutMillis() * 4,
                                TimeUnit.MILLISECONDS);
                        ingestNanos += System.nanoTime() - t;
                        entries++;
                        if (applied instanceof Reply.Err e) {
                            return error("ingest refused: " + e.text());
                        }
                        keys += ((Reply.Int) applied).value();
                    }
                    if (r.getLast()) {
                        LOG.info("group {}: copied {} keys of slots {}-{} from group {} (since {}, up to its index {})"
                                + " in {} ms: first answer after {} ms, {} ingest entries {} ms", group, keys,
                                req.getFirstSlot(), req.getLastSlot(), req.getSourceGroup(), req.getSinceIndex(),
                                r.getIndex(), (System.nanoTime() - start) / 1_000_000,
                                (firstAnswer - start) / 1_000_000, entries, ingestNanos / 1_000_000);
                        return MigrateSlotsResponse.newBuilder().setDone(true).setIndex(r.getIndex()).setKeys(keys)
                                .build();
                    }
                }
                if (redirect.isEmpty()) {
                    return error("source group " + req.getSourceGroup() + " at " + address
                            + ": no leader known, or the export ended early");
                }
                address = redirect;
            } catch (StatusRuntimeException e) {
                return error("export from " + address + ": " + e.getStatus());
            } catch (ExecutionException | TimeoutException e) {
                return failed(e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return error("interrupted");
            } finally {
                call.detach(previous);
                call.cancel(null); // ends the export if this side stopped early
            }
        }
        return error("source group " + req.getSourceGroup() + ": its leader was not found in " + SOURCE_HOPS
                + " tries");
    }

    private static byte[][] ingest(MigrateSlotsRequest req, ExportSlotsResponse r) {
        byte[][] argv = new byte[4 + r.getItemsCount()][];
        argv[0] = Args.bytes(ShardStateMachine.SLOT_INGEST);
        argv[1] = Args.bytes(Integer.toString(req.getFirstSlot()));
        argv[2] = Args.bytes(Integer.toString(req.getLastSlot()));
        argv[3] = Args.bytes(Long.toString(req.getAttempt()));
        for (int i = 0; i < r.getItemsCount(); i++) {
            argv[4 + i] = r.getItems(i).toByteArray();
        }
        return argv;
    }

    private CompletableFuture<Object> propose(long group, byte[][] argv) {
        StoreCommand c = new StoreCommand(0, 0, 0, System.currentTimeMillis(), ThreadLocalRandom.current().nextLong(),
                argv);
        return runtime.propose(group, c.encode()).orTimeout(config.requestTimeoutMillis() * 4, TimeUnit.MILLISECONDS);
    }

    private ManagedChannel channel(String address) {
        if (closed) {
            throw new IllegalStateException("store " + config.nodeId() + " is closing");
        }
        return channels.computeIfAbsent(address, a -> GrpcChannels.open(a, config.maxMessageBytes(), false, GrpcChannels.KEEPALIVE));
    }

    private static MigrateSlotsResponse failed(Throwable err) {
        Throwable e = err;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof NotLeaderException nl) {
            return MigrateSlotsResponse.newBuilder().setLeaderId(nl.leaderHint()).build();
        }
        return error(e.toString());
    }

    private static MigrateSlotsResponse error(String text) {
        return MigrateSlotsResponse.newBuilder().setError(text).build();
    }

    private static CompletableFuture<MigrateSlotsResponse> done(MigrateSlotsResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        channels.clear();
    }
}
