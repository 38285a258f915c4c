package io.cairn.deploy.it;

import com.google.protobuf.ByteString;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.GroupInfo;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StatusRequest;
import io.cairn.store.node.proto.StatusResponse;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.cairn.store.types.Slots;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A test client of the stores' gRPC StoreService, routing by a static {@link ShardMap} the way a
 * gateway does: key → slot → group, the request to the believed leader, following NOT_LEADER
 * hints and moving on to the next store on RPC failures, resending the same (session, seq) until
 * it has a reply, so a retried write is applied once. Bounded: 30 s per command. Not thread-safe.
 */
public final class StoreServiceClient implements AutoCloseable {
    private final ShardMap map;
    private final Map<Long, ManagedChannel> channels = new TreeMap<>();
    private final Map<Long, Long> leaderGuess = new HashMap<>();
    private final Map<Long, Long> seqs = new HashMap<>();
    private final long session;
    private int retries;

    public StoreServiceClient(ShardMap map, long session) {
        this.map = map;
        this.session = session;
        for (StoreInfo s : map.stores()) {
            channels.put(s.id(), channel(s));
        }
    }

    private static ManagedChannel channel(StoreInfo s) {
        return NettyChannelBuilder.forTarget(s.serviceAddress()).usePlaintext().build();
    }

    /** A fresh channel to the store (after a restart the old one may be in a long reconnect backoff). */
    public void reconnect(long storeId) {
        ManagedChannel old = channels.put(storeId, channel(map.store(storeId).orElseThrow()));
        old.shutdownNow();
    }

    /** The group owning the key's slot in the map. */
    public long groupOf(String key) {
        return map.groupOf(Slots.slot(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Runs a write (a new seq of this client's session) or a read; returns the RESP2 reply text. */
    public String call(String key, String... argv) throws InterruptedException {
        long group = groupOf(key);
        Command.Builder c = Command.newBuilder().setGroupId(group);
        for (String a : argv) {
            c.addArgv(ByteString.copyFromUtf8(a));
        }
        long seq = seqs.merge(group, 1L, Long::sum);
        c.setSession(session * 1000 + group).setSeq(seq).setAcked(seq - 1);
        return execute(group, c.build(), 0);
    }

    /** Reads the key with a linearizable GET on the given store only (follower or leader). */
    public String getOn(long storeId, String key) throws InterruptedException {
        long group = groupOf(key);
        Command c = Command.newBuilder().setGroupId(group).addArgv(ByteString.copyFromUtf8("GET"))
                .addArgv(ByteString.copyFromUtf8(key)).build();
        return execute(group, c, storeId);
    }

    private String execute(long group, Command c, long onlyStore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long store = onlyStore != 0 ? onlyStore : leaderGuess.getOrDefault(group, channels.keySet().iterator().next());
        String last = "";
        while (System.nanoTime() < deadline) {
            Result r;
            try {
                r = StoreServiceGrpc.newBlockingStub(channels.get(store)).withDeadlineAfter(3, TimeUnit.SECONDS)
                        .execute(ExecuteRequest.newBuilder().setProtocol(2).addCommands(c).build()).getResults(0);
            } catch (StatusRuntimeException e) {
                r = Result.newBuilder().setError("rpc: " + e.getStatus()).build();
            }
            if (r.getOutcomeCase() == Result.OutcomeCase.RESP) {
                if (onlyStore == 0) {
                    leaderGuess.put(group, store);
                }
                return r.getResp().toStringUtf8();
            }
            last = "store " + store + ": " + r;
            retries++;
            long hint = r.getOutcomeCase() == Result.OutcomeCase.NOT_LEADER ? r.getNotLeader().getLeaderId() : 0;
            if (onlyStore == 0) {
                store = hint != 0 && hint != store && channels.containsKey(hint) ? hint : nextStore(store);
            }
            Thread.sleep(hint != 0 ? 2 : 20);
        }
        throw new AssertionError("no reply in 30 s for " + c.getArgvList().stream().map(ByteString::toStringUtf8)
                .toList() + " in group " + group + "; last: " + last);
    }

    private long nextStore(long store) {
        Long next = ((TreeMap<Long, ManagedChannel>) channels).higherKey(store);
        return next != null ? next : channels.keySet().iterator().next();
    }

    /** The store's Status (1 s deadline). */
    public StatusResponse status(long storeId) {
        return StoreServiceGrpc.newBlockingStub(channels.get(storeId)).withDeadlineAfter(1, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }

    /** The store id whose replica of the group says it is the leader, 0 if none answers so now. */
    public long leaderOf(long group) {
        for (long id : channels.keySet()) {
            try {
                for (GroupInfo g : status(id).getGroupsList()) {
                    if (g.getGroupId() == group && g.getRole().equals("LEADER")) {
                        return id;
                    }
                }
            } catch (StatusRuntimeException e) {
                // down
            }
        }
        return 0;
    }

    /** Commands that needed another attempt (NOT_LEADER, errors, RPC failures). */
    public int retries() {
        return retries;
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    /** RESP2 bulk string text of a value. */
    public static String bulk(String v) {
        return "$" + v.getBytes(StandardCharsets.UTF_8).length + "\r\n" + v + "\r\n";
    }
}
