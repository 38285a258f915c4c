package io.cairn.gateway;

import static io.cairn.testing.Ports.freePort;
import static org.awaitility.Awaitility.await;

import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import io.cairn.store.types.Slots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Three real store nodes in this JVM (RocksDB, Raft, gRPC on 127.0.0.1, free ports), hosting
 * three static groups of three replicas that split the slots in three ranges, and the matching
 * shard map built with {@link MapCommand}s, for a gateway's {@link StaticClusterView}.
 */
final class StoreClusterFixture implements AutoCloseable {
  static final long[] GROUPS = {1, 2, 3};
  static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};

  final Map<Long, StoreNode> nodes = new TreeMap<>();
  private final Map<Long, int[]> ports = new TreeMap<>(); // id -> {raft, service}

  StoreClusterFixture(Path dir) throws IOException {
    for (long id = 1; id <= 3; id++) {
      ports.put(id, new int[] {freePort(), freePort()});
    }
    try {
      for (long id = 1; id <= 3; id++) {
        nodes.put(id, StoreNode.start(StoreConfig.from(config(dir, id))));
      }
      await("every group has a leader").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> {
            for (long g : GROUPS) {
              if (leaderOf(g) == 0) {
                return false;
              }
            }
            return true;
          });
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private Properties config(Path dir, long id) {
    Properties p = new Properties();
    p.setProperty("node.id", Long.toString(id));
    p.setProperty("data.dir", dir.resolve("node-" + id).toString());
    p.setProperty("host", "127.0.0.1");
    p.setProperty("raft.port", Integer.toString(ports.get(id)[0]));
    p.setProperty("service.port", Integer.toString(ports.get(id)[1]));
    p.setProperty("peers", ports.entrySet().stream()
        .map(e -> e.getKey() + "=127.0.0.1:" + e.getValue()[0] + ":" + e.getValue()[1])
        .collect(Collectors.joining(",")));
    for (int i = 0; i < GROUPS.length; i++) {
      p.setProperty("group." + GROUPS[i] + ".members", "1,2,3");
      p.setProperty("group." + GROUPS[i] + ".slots", SLOTS[i][0] + "-" + SLOTS[i][1]);
    }
    p.setProperty("raft.tick.ms", "20");
    p.setProperty("raft.election.ticks", "10");
    p.setProperty("raft.workers", "1");
    p.setProperty("raft.apply.threads", "1");
    p.setProperty("read.threads", "2");
    p.setProperty("request.timeout.ms", "2000");
    return p;
  }

  /** The map the stores' static config describes: 3 stores, 3 groups, 3 slot ranges. */
  ShardMap map() {
    ShardMap m = ShardMap.empty();
    for (Map.Entry<Long, int[]> e : ports.entrySet()) {
      m = m.apply(new MapCommand.AddStore(new StoreInfo(e.getKey(),
          "127.0.0.1:" + e.getValue()[0], "127.0.0.1:" + e.getValue()[1], StoreState.UP)));
    }
    for (int i = 0; i < GROUPS.length; i++) {
      m = m.apply(new MapCommand.CreateGroup(GROUPS[i],
          List.of(Replica.voter(1), Replica.voter(2), Replica.voter(3))));
      m = m.apply(new MapCommand.AssignSlots(List.of(new SlotRange(SLOTS[i][0], SLOTS[i][1])),
          GROUPS[i]));
    }
    return m;
  }

  /** The leader of the group as the running nodes see it; 0 when none of them knows one. */
  long leaderOf(long group) {
    for (StoreNode n : nodes.values()) {
      long l = n.stateMachines().get(group).leaderId();
      if (l != 0 && nodes.containsKey(l)) {
        return l;
      }
    }
    return 0;
  }

  /** Closes one node (its data stays on disk). */
  void stop(long id) {
    StoreNode n = nodes.remove(id);
    if (n != null) {
      n.close();
    }
  }

  @Override
  public void close() {
    for (StoreNode n : nodes.values()) {
      n.close();
    }
    nodes.clear();
  }

  /** The index (0..2) of the group owning the key's slot. */
  static int groupIndexOf(String key) {
    int slot = Slots.slot(key.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < SLOTS.length; i++) {
      if (slot >= SLOTS[i][0] && slot <= SLOTS[i][1]) {
        return i;
      }
    }
    throw new AssertionError("slot " + slot);
  }

  /** The first key {@code prefix + n} that lives in the group with that index. */
  static String keyInGroup(String prefix, int groupIndex) {
    for (int i = 0; ; i++) {
      String k = prefix + i;
      if (groupIndexOf(k) == groupIndex) {
        return k;
      }
    }
  }
}
