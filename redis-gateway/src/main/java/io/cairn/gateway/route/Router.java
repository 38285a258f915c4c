package io.cairn.gateway.route;

import io.cairn.meta.client.ClusterView;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.store.resp.RespEncoder;
import io.cairn.store.types.CommandFlag;
import io.cairn.store.types.CommandSpec;
import io.cairn.store.types.RedisException;
import io.cairn.store.types.Reply;
import io.cairn.store.types.ScanCursor;
import io.cairn.store.types.Slots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes data commands to the stores: key → slot ({@link Slots}) → group (the
 * {@link ClusterView}'s map) → the group's leader (the view's hint, else a voter, following
 * NOT_LEADER answers), through one {@link StoreBatcher} per store. Replies are the store's RESP
 * bytes, in the connection's protocol, passed through as they are except where a split command
 * is merged.
 *
 * <ul>
 *   <li>Keys of one slot: one command to that slot's group.</li>
 *   <li>Keys of several slots: MGET, MSET, DEL, EXISTS, UNLINK, TOUCH are split per group (the
 *       keys of one group go together, as one command) and merged: MGET in key order, MSET
 *       {@code +OK}, the others summed; the first error of a part is the reply. Not atomic
 *       across groups. Any other command: {@code -CROSSSLOT}, as Redis Cluster, even when the
 *       slots belong to one group.</li>
 *   <li>Keyless commands: DBSIZE (summed), FLUSHALL / FLUSHDB (every group), KEYS (concatenated),
 *       SCAN (one group per call, see {@link #scan}).</li>
 *   <li>No owner for the slot (or an empty map): {@code -CLUSTERDOWN Hash slot not served}.</li>
 * </ul>
 *
 * Retries, ordering and time-outs are the {@link Lane}'s. Thread-safe.
 */
public final class Router implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  static final String CLUSTERDOWN = "CLUSTERDOWN Hash slot not served";
  static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

  final ClusterView view;
  final RouteConfig config;
  final StoreClients clients;
  /** Backoffs and retries; short tasks only. */
  final ScheduledExecutorService timer;
  private final AtomicInteger replicaCursor = new AtomicInteger();
  /** The exactly-once sessions every connection's writes share. */
  final WriteSessions sessions = new WriteSessions();
  /** The groups in SCAN order for one map version (recomputed when the map changes). */
  private volatile ScanOrder scanOrder;

  public Router(ClusterView view, RouteConfig config) {
    this.view = view;
    this.config = config;
    this.clients = new StoreClients(config);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gateway-route-timer");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@code Execute} calls sent to stores so far (all stores). */
  public long executeCalls() {
    return clients.calls.get();
  }

  /** Commands carried by those calls (retries count again). */
  public long executeCommands() {
    return clients.commands.get();
  }

  /** Exactly-once sessions the writes to {@code group} have used so far (diagnostics). */
  public int writeSessions(long group) {
    return sessions.sessions(group);
  }

  /**
   * Writes sent to {@code group}'s sessions whose replies are not all in yet: the sum over its
   * sessions of their last seq minus their acked (diagnostics; 0 once every write is answered
   * or given up on).
   */
  public long unacknowledgedWrites(long group) {
    return sessions.unacknowledged(group);
  }

  public ClusterView view() {
    return view;
  }

  /**
   * Runs a data command that passed the gateway's checks (known command, arity, auth); completes
   * with the RESP reply in {@code protocol}. Must be called on the connection's thread, in the
   * connection's order (it enqueues into the connection's lanes, which keep that order; a write gets
   * its exactly-once session and seq when it first leaves, see {@link WriteSessions}). The command
   * is held until {@link RouteSession#flush()}, which the caller runs after a batch of requests
   * (the end of a read).
   */
  public CompletableFuture<byte[]> route(RouteSession s, CommandSpec spec, byte[][] argv,
      int protocol) {
    ShardMap map = view.map();
    if (map.version() == 0) {
      return done(error(CLUSTERDOWN, protocol));
    }
    String name = spec.name().toLowerCase(Locale.ROOT);
    if (spec.flags().contains(CommandFlag.KEYLESS)) {
      return keyless(s, spec, name, argv, protocol, map);
    }
    int[] positions = spec.keyPositions(argv);
    if (positions.length == 0) {
      // A keyed command whose key count is wrong (e.g. numkeys 0): any group reports the error.
      List<GroupInfo> order = scanOrder(map).groups;
      if (order.isEmpty()) {
        return done(error(CLUSTERDOWN, protocol));
      }
      return send(s, spec, argv, order.get(0).id(), -1, protocol);
    }
    int slot = Slots.slot(argv[positions[0]]);
    boolean oneSlot = true;
    for (int i = 1; i < positions.length && oneSlot; i++) {
      oneSlot = Slots.slot(argv[positions[i]]) == slot;
    }
    if (oneSlot) {
      long group = map.groupOf(slot);
      if (group == ShardMap.UNASSIGNED) {
        return done(error(CLUSTERDOWN, protocol));
      }
      return send(s, spec, argv, group, slot, protocol);
    }
    if (name.equals("mset") && argv.length % 2 == 0) {
      // A key without its value cannot be split in pairs (the stores would refuse the keys of
      // other groups before counting): Redis's arity error, from here.
      return done(error("ERR wrong number of arguments for 'mset' command", protocol));
    }
    return switch (name) {
      case "mget", "mset", "del", "unlink", "exists", "touch" ->
          split(s, spec, name, argv, positions, protocol, map);
      default -> done(error(CROSSSLOT, protocol));
    };
  }

  /**
   * WAIT numreplicas timeout (arguments checked) for a connection that wrote: to the leader of
   * the group of its last write, in that group's lane, so after the connection's earlier
   * commands there; the leader answers how many other voters' logs hold its acknowledged writes,
   * waiting for {@code numreplicas} up to the timeout (the store's
   * {@code StoreServiceImpl.waitCommand}).
   */
  public CompletableFuture<byte[]> waitFor(RouteSession s, byte[][] argv, int protocol) {
    int slot = s.lastWriteSlot();
    long group = s.lastWriteGroup();
    if (slot >= 0) {
      // The slot's group now: the write may have followed its slot to another group.
      long owner = view.map().groupOf(slot);
      group = owner == ShardMap.UNASSIGNED ? group : owner;
    }
    return send(s, argv, false, false, group, slot, protocol, true);
  }

  private CompletableFuture<byte[]> send(RouteSession s, CommandSpec spec, byte[][] argv,
      long group, int slot, int protocol) {
    boolean write = spec.isWrite();
    if (write) {
      s.noteWrite(group, slot);
    }
    return send(s, argv, write, !write && s.readonly(), group, slot, protocol, false);
  }

  private CompletableFuture<byte[]> send(RouteSession s, byte[][] argv, boolean write,
      boolean staleOk, long group, int slot, int protocol, boolean alone) {
    Lane.Pending p = new Lane.Pending(argv, write, staleOk, slot, protocol,
        TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis()));
    p.alone = alone;
    Lane lane = s.lane(group, this);
    lane.enqueue(p, true);
    s.hold(lane);
    return p.result;
  }

  /** A command whose group went away or whose slot moved: into the lane of its new group. */
  void reroute(RouteSession s, Lane.Pending p, Lane from) {
    if (p.slot < 0) {
      p.givenUp();
      p.result.complete(error(CLUSTERDOWN + " (group " + from.group
          + " is not in the shard map any more)", p.protocol));
      return;
    }
    Lane to;
    try {
      long group = view.map().groupOf(p.slot);
      if (group == ShardMap.UNASSIGNED) {
        p.givenUp();
        p.result.complete(error(CLUSTERDOWN, p.protocol));
        return;
      }
      to = s.lane(group, this);
    } catch (RuntimeException e) {
      // Not handed on yet: answered here, or its client would wait for ever (see Lane).
      log.error("re-routing a command of group {} failed", from.group, e);
      p.givenUp();
      p.result.complete(error("ERR internal error in the gateway's routing of group " + from.group
          + ": " + e, p.protocol));
      return;
    }
    to.enqueue(p, false);
  }

  // ------------------------------------------------------------ multi-key split

  private CompletableFuture<byte[]> split(RouteSession s, CommandSpec spec, String name,
      byte[][] argv, int[] positions, int protocol, ShardMap map) {
    int step = name.equals("mset") ? 2 : 1;
    // group -> argument indexes of its keys, in request order
    Map<Long, List<Integer>> byGroup = new LinkedHashMap<>();
    for (int pos : positions) {
      long g = map.groupOf(Slots.slot(argv[pos]));
      if (g == ShardMap.UNASSIGNED) {
        return done(error(CLUSTERDOWN, protocol));
      }
      byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(pos);
    }
    List<CompletableFuture<byte[]>> parts = new ArrayList<>();
    List<List<Integer>> partKeys = new ArrayList<>();
    for (Map.Entry<Long, List<Integer>> e : byGroup.entrySet()) {
      List<Integer> keys = e.getValue();
      byte[][] part = new byte[1 + keys.size() * step][];
      part[0] = argv[0];
      int i = 1;
      for (int pos : keys) {
        for (int k = 0; k < step; k++) {
          part[i++] = argv[pos + k];
        }
      }
      parts.add(send(s, spec, part, e.getKey(), Slots.slot(argv[keys.get(0)]), protocol));
      partKeys.add(keys);
    }
    return all(parts).thenApply(replies -> {
      for (byte[] r : replies) {
        if (RespSlices.isError(r)) {
          return r;
        }
      }
      switch (name) {
        case "mset":
          return replies.get(0);
        case "mget": {
          byte[][] values = new byte[argv.length][];
          for (int p = 0; p < replies.size(); p++) {
            List<byte[]> elements = RespSlices.elements(replies.get(p));
            List<Integer> keys = partKeys.get(p);
            for (int k = 0; k < keys.size(); k++) {
              values[keys.get(k)] = elements.get(k);
            }
          }
          List<byte[]> ordered = new ArrayList<>(positions.length);
          for (int pos : positions) {
            ordered.add(values[pos]);
          }
          return RespSlices.array(ordered);
        }
        default: {
          long sum = 0;
          for (byte[] r : replies) {
            sum += RespSlices.integer(r);
          }
          return RespEncoder.encode(new Reply.Int(sum), protocol);
        }
      }
    });
  }

  // ------------------------------------------------------------ keyless commands

  private CompletableFuture<byte[]> keyless(RouteSession s, CommandSpec spec, String name,
      byte[][] argv, int protocol, ShardMap map) {
    if (name.equals("scan")) {
      return scan(s, spec, argv, protocol, map);
    }
    List<CompletableFuture<byte[]>> parts = new ArrayList<>();
    for (GroupInfo g : map.groups()) {
      parts.add(send(s, spec, argv, g.id(), -1, protocol));
    }
    if (parts.isEmpty()) {
      return done(error(CLUSTERDOWN, protocol));
    }
    return all(parts).thenApply(replies -> {
      for (byte[] r : replies) {
        if (RespSlices.isError(r)) {
          return r;
        }
      }
      switch (name) {
        case "dbsize": {
          long sum = 0;
          for (byte[] r : replies) {
            sum += RespSlices.integer(r);
          }
          return RespEncoder.encode(new Reply.Int(sum), protocol);
        }
        case "keys": {
          List<byte[]> keys = new ArrayList<>();
          for (byte[] r : replies) {
            keys.addAll(RespSlices.elements(r));
          }
          return RespSlices.array(keys);
        }
        default: // flushall, flushdb: every group said +OK
          return replies.get(0);
      }
    });
  }

  /**
   * SCAN over every group, one group per call. Cursor encoding: the gateway's cursor is the
   * store's own per-group cursor ({@link ScanCursor}: {@code ((len + 1) << 56) | the first len
   * bytes of the next item's suffix}, where the suffix starts with the item's 2-byte slot). The
   * slot in it names the group to continue in: the group owning that slot. Groups are walked in
   * the order of their lowest slot; when a group is done, the cursor returned starts the next
   * one: the cursor of its lowest slot (2 bytes, no key bytes), which seeks to the start of that
   * group's keys. {@code 0} starts the first group and, returned, means the last group is done.
   * So cursors stay 64-bit numbers, need no table, and there is no limit on the number of
   * groups. With no concurrent changes to keys or the map, a full iteration returns every key
   * exactly once; as in Redis, keys added or removed during it may or may not be returned, and
   * a slot moving to another group during an iteration can make keys be missed or repeated.
   */
  private CompletableFuture<byte[]> scan(RouteSession s, CommandSpec spec, byte[][] argv,
      int protocol, ShardMap map) {
    long cursor;
    try {
      cursor = ScanCursor.parseCursor(argv[1]);
    } catch (RedisException e) {
      return done(error(e.getMessage(), protocol));
    }
    ScanOrder order = scanOrder(map);
    if (order.groups.isEmpty()) {
      return done(error(CLUSTERDOWN, protocol));
    }
    int index;
    long groupCursor = cursor;
    if (cursor == 0) {
      index = 0;
    } else {
      byte[] resume = ScanCursor.resumeBytes(cursor);
      int slot = ((resume.length > 0 ? resume[0] & 0xFF : 0) << 8)
          | (resume.length > 1 ? resume[1] & 0xFF : 0);
      long owner = slot < ShardMap.SLOT_COUNT ? map.groupOf(slot) : ShardMap.UNASSIGNED;
      index = owner == ShardMap.UNASSIGNED ? -1 : order.indexOf(owner);
      if (index < 0) {
        // Nobody owns that slot now: continue with the next group in order, from its start.
        index = order.firstAbove(slot);
        groupCursor = 0;
        if (index < 0) {
          return done(scanReply(0, RespEncoder.encode(Reply.EMPTY_ARRAY, protocol), protocol));
        }
      }
    }
    byte[][] part = argv.clone();
    part[1] = Long.toUnsignedString(groupCursor).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int at = index;
    return send(s, spec, part, order.groups.get(at).id(), -1, protocol).thenApply(r -> {
      if (RespSlices.isError(r)) {
        return r;
      }
      List<byte[]> elements = RespSlices.elements(r);
      long next = Long.parseUnsignedLong(new String(RespSlices.bulk(elements.get(0)),
          java.nio.charset.StandardCharsets.US_ASCII));
      if (next == 0 && at + 1 < order.groups.size()) {
        int first = order.firstSlots[at + 1];
        next = ScanCursor.encode(new byte[] {(byte) (first >>> 8), (byte) first});
      }
      return scanReply(next, elements.get(1), protocol);
    });
  }

  private static byte[] scanReply(long cursor, byte[] keys, int protocol) {
    return RespSlices.array(List.of(RespSlices.bulkOf(Long.toUnsignedString(cursor)), keys));
  }

  /** Groups that own slots, by their lowest slot, for one map version. */
  private static final class ScanOrder {
    final ShardMap map;
    final List<GroupInfo> groups;
    final int[] firstSlots;

    ScanOrder(ShardMap map) {
      this.map = map;
      List<long[]> firsts = new ArrayList<>();
      for (GroupInfo g : map.groups()) {
        List<SlotRange> ranges = map.slotRanges(g.id());
        if (!ranges.isEmpty()) {
          int min = ranges.stream().mapToInt(SlotRange::first).min().getAsInt();
          firsts.add(new long[] {min, g.id()});
        }
      }
      firsts.sort((a, b) -> Long.compare(a[0], b[0]));
      this.groups = new ArrayList<>();
      this.firstSlots = new int[firsts.size()];
      for (int i = 0; i < firsts.size(); i++) {
        firstSlots[i] = (int) firsts.get(i)[0];
        groups.add(map.findGroup(firsts.get(i)[1]).orElseThrow());
      }
    }

    int indexOf(long groupId) {
      for (int i = 0; i < groups.size(); i++) {
        if (groups.get(i).id() == groupId) {
          return i;
        }
      }
      return -1;
    }

    int firstAbove(int slot) {
      for (int i = 0; i < firstSlots.length; i++) {
        if (firstSlots[i] > slot) {
          return i;
        }
      }
      return -1;
    }
  }

  private ScanOrder scanOrder(ShardMap map) {
    ScanOrder o = scanOrder;
    if (o == null || o.map != map) {
      o = new ScanOrder(map);
      scanOrder = o;
    }
    return o;
  }

  // ------------------------------------------------------------ helpers

  int nextReplica(int n) {
    return Math.floorMod(replicaCursor.getAndIncrement(), n);
  }

  byte[] error(String text, int protocol) {
    return RespEncoder.encode(new Reply.Err(text), protocol);
  }

  private static CompletableFuture<byte[]> done(byte[] reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static CompletableFuture<List<byte[]>> all(List<CompletableFuture<byte[]>> parts) {
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<byte[]> out = new ArrayList<>(parts.size());
      for (CompletableFuture<byte[]> p : parts) {
        out.add(p.join());
      }
      return out;
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
    clients.close();
  }
}
