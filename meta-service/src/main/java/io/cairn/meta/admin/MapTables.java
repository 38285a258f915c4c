package io.cairn.meta.admin;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Migration;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.HistoryEntry;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.MetaReplica;
import io.cairn.meta.proto.MigrationInfo;
import io.cairn.meta.proto.MigrationPauses;
import io.cairn.meta.proto.MetaStatusResponse;
import io.cairn.meta.proto.StoreReport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Text tables of the shard map for {@code cairn admin status | query [version] | history}:
 * columns sized to their content, rows in id order, deterministic (golden-testable).
 *
 * <pre>
 * map version 9
 *
 * STORE  STATE  RAFT            SERVICE         GROUPS  LEADS  HEARTBEAT
 * 1      UP     127.0.0.1:7101  127.0.0.1:7201  1,3     1      120 ms ago
 *
 * GROUP  SLOTS  RANGES       LEADER  REPLICAS
 * 1      5462   0-5461       1       1:voter* 2:voter 3:voter
 * </pre>
 *
 * Replicas are {@code store:role}, the one believed to lead marked {@code *}. {@code status} adds
 * the groups' sizes as their leaders last measured them (KEYS, EXPIRES: keys with a TTL, SIZE:
 * RocksDB's estimate; {@code -} = not measured yet).
 */
public final class MapTables {
  private MapTables() {
  }

  /** The map alone (no leaders, no reports): what {@code query [version]} prints. */
  public static String render(ShardMap map) {
    return render(map, Map.of(), List.of());
  }

  /**
   * The map with what is known of leaders ({@code leaders}: group id → store id) and of the
   * stores' heartbeats ({@code reports}, may be empty).
   */
  public static String render(ShardMap map, Map<Long, Long> leaders, Collection<StoreReport> reports) {
    return render(map, leaders, reports, null);
  }

  /**
   * The same with the groups' sizes ({@code sizes}: group id → size) in three more columns;
   * {@code sizes} null: no size columns.
   */
  public static String render(ShardMap map, Map<Long, Long> leaders, Collection<StoreReport> reports,
      Map<Long, GroupSize> sizes) {
    Map<Long, StoreReport> byStore = new HashMap<>();
    reports.forEach(r -> byStore.put(r.getStoreId(), r));
    StringBuilder sb = new StringBuilder("map version ").append(map.version()).append("\n\n");
    Table stores = new Table("STORE", "STATE", "RAFT", "SERVICE", "GROUPS", "LEADS", "HEARTBEAT");
    for (StoreInfo s : map.stores()) {
      StringJoiner hosted = new StringJoiner(",");
      StringJoiner led = new StringJoiner(",");
      for (GroupInfo g : map.groups()) {
        if (g.replicaOn(s.id()).isPresent()) {
          hosted.add(Long.toString(g.id()));
        }
        if (leaders.getOrDefault(g.id(), 0L) == s.id()) {
          led.add(Long.toString(g.id()));
        }
      }
      StoreReport r = byStore.get(s.id());
      String beat = r == null || r.getLastHeartbeatMsAgo() < 0 ? "-" : r.getLastHeartbeatMsAgo() + " ms ago";
      stores.row(Long.toString(s.id()), s.state().name(), s.raftAddress(), s.serviceAddress(),
          orDash(hosted.toString()), orDash(led.toString()), beat);
    }
    sb.append(stores.isEmpty() ? "no stores\n" : stores.render());
    sb.append('\n');
    Table groups = sizes == null ? new Table("GROUP", "SLOTS", "RANGES", "LEADER", "REPLICAS")
        : new Table("GROUP", "SLOTS", "RANGES", "LEADER", "REPLICAS", "KEYS", "EXPIRES", "SIZE");
    for (GroupInfo g : map.groups()) {
      long leader = leaders.getOrDefault(g.id(), 0L);
      StringJoiner reps = new StringJoiner(" ");
      for (Replica r : g.replicas()) {
        reps.add(r.storeId() + ":" + r.role().name().toLowerCase(Locale.ROOT) + (r.storeId() == leader ? "*" : ""));
      }
      String id = Long.toString(g.id());
      String slots = Integer.toString(map.slotCount(g.id()));
      String lead = leader == 0 ? "-" : Long.toString(leader);
      if (sizes == null) {
        groups.row(id, slots, map.slotRangesText(g.id()), lead, reps.toString());
      } else {
        GroupSize z = sizes.get(g.id());
        groups.row(id, slots, map.slotRangesText(g.id()), lead, reps.toString(),
            z == null ? "-" : Long.toString(z.getKeyCount()), z == null ? "-" : Long.toString(z.getExpiresCount()),
            z == null ? "-" : bytes(z.getSizeBytes()));
      }
    }
    sb.append(groups.isEmpty() ? "no groups\n" : groups.render());
    int free = map.slotCount(ShardMap.UNASSIGNED);
    if (free > 0) {
      sb.append("\nunassigned slots: ").append(free).append(" (").append(map.slotRangesText(ShardMap.UNASSIGNED))
          .append(")\n");
    }
    if (!map.leavingGroups().isEmpty()) {
      StringJoiner l = new StringJoiner(",");
      map.leavingGroups().forEach(g -> l.add(Long.toString(g)));
      sb.append("\nleaving groups: ").append(l).append('\n');
    }
    if (!map.migrations().isEmpty()) {
      sb.append('\n').append(migrations(map.migrations()));
    }
    return sb.toString();
  }

  /** What {@code status} prints: the meta replicas, then the map with leaders and heartbeats. */
  public static String render(MetaStatusResponse status) {
    Table replicas = new Table("META", "ADDRESS", "ROLE");
    for (MetaReplica r : status.getReplicasList()) {
      replicas.row(Long.toString(r.getId()), r.getAddress(), r.getLeader() ? "leader" : "follower");
    }
    StringBuilder sb = new StringBuilder("meta term ").append(status.getTerm()).append('\n');
    sb.append(replicas.render()).append('\n');
    Map<Long, GroupSize> sizes = new TreeMap<>();
    status.getSizesList().forEach(z -> sizes.put(z.getGroupId(), z));
    sb.append(render(ShardMapCodec.decodeMap(status.getMap().toByteArray()), leaders(status.getLeadersList()),
        status.getStoresList(), sizes));
    return sb.toString();
  }

  /** The migrations in flight as a table: id, slots, source, target, phase. */
  public static String migrations(Collection<Migration> migrations) {
    Table t = new Table("MIGRATION", "SLOTS", "FROM", "TO", "PHASE");
    for (Migration m : migrations) {
      t.row(Long.toString(m.id()), m.range().toString(), Long.toString(m.source()), Long.toString(m.target()),
          m.phase().name());
    }
    return t.isEmpty() ? "no migrations in flight\n" : t.render();
  }

  /** Migrations as a call answered them (MoveSlots, Migrations, ...): id, slots, from, to, phase. */
  public static String migrationInfos(Collection<MigrationInfo> infos) {
    Table t = new Table("MIGRATION", "SLOTS", "FROM", "TO", "PHASE");
    for (MigrationInfo m : infos) {
      String slots = m.getFirstSlot() == m.getLastSlot() ? Integer.toString(m.getFirstSlot())
          : m.getFirstSlot() + "-" + m.getLastSlot();
      t.row(Long.toString(m.getId()), m.getSourceGroup() == 0 ? "-" : slots,
          m.getSourceGroup() == 0 ? "-" : Long.toString(m.getSourceGroup()),
          m.getTargetGroup() == 0 ? "-" : Long.toString(m.getTargetGroup()), m.getPhase());
    }
    return t.isEmpty() ? "no migrations\n" : t.render();
  }

  /** The measured pauses as one line: {@code pauses: 12 measured, p50 3.1 ms, p99 40.0 ms, max 41.2 ms}. */
  public static String pauses(MigrationPauses p) {
    if (p.getCount() == 0) {
      return "pauses: none measured by this meta leader\n";
    }
    return String.format(Locale.ROOT, "pauses: %d measured, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", p.getCount(),
        p.getP50Ms(), p.getP99Ms(), p.getMaxMs());
  }

  /** Bytes for people: {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 MiB}, ... */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Leader hints as group id → store id (store 0 = unknown is left out). */
  public static Map<Long, Long> leaders(Collection<LeaderHint> hints) {
    Map<Long, Long> out = new TreeMap<>();
    for (LeaderHint h : hints) {
      if (h.getStoreId() != 0) {
        out.put(h.getGroupId(), h.getStoreId());
      }
    }
    return out;
  }

  /** What {@code history} prints: one line per kept version, oldest first. */
  public static String history(Collection<HistoryEntry> entries) {
    Table t = new Table("VERSION", "CHANGE");
    for (HistoryEntry e : entries) {
      t.row(Long.toString(e.getVersion()), e.getChange());
    }
    return t.render();
  }

  /** A one-line description of a command, as the history shows it. */
  public static String describe(MapCommand c) {
    if (c instanceof MapCommand.AddStore a) {
      StoreInfo s = a.store();
      return "add store " + s.id() + " (raft " + s.raftAddress() + ", service " + s.serviceAddress() + ", "
          + s.state() + ")";
    } else if (c instanceof MapCommand.RemoveStore r) {
      return "remove store " + r.storeId();
    } else if (c instanceof MapCommand.SetStoreState s) {
      return "store " + s.storeId() + " is " + s.state();
    } else if (c instanceof MapCommand.CreateGroup g) {
      StringJoiner reps = new StringJoiner(" ");
      g.replicas().forEach(r -> reps.add(r.storeId() + ":" + r.role().name().toLowerCase(Locale.ROOT)));
      return "create group " + g.groupId() + " on " + reps;
    } else if (c instanceof MapCommand.SetReplicaRole r) {
      return "group " + r.groupId() + ": replica on store " + r.storeId() + " is "
          + r.role().name().toLowerCase(Locale.ROOT);
    } else if (c instanceof MapCommand.RemoveReplica r) {
      return "group " + r.groupId() + ": remove replica on store " + r.storeId();
    } else if (c instanceof MapCommand.AssignSlots a) {
      return "assign slots " + SlotRange.render(a.ranges()) + " to group " + a.groupId();
    } else if (c instanceof MapCommand.DestroyGroup d) {
      return "destroy group " + d.groupId();
    } else if (c instanceof MapCommand.BeginMigration b) {
      StringJoiner moves = new StringJoiner(", ");
      b.migrations().forEach(m -> moves.add(m.id() + ": " + m.range() + " " + m.source() + "->" + m.target()));
      return "begin migration" + (b.migrations().size() == 1 ? " " : "s ") + moves;
    } else if (c instanceof MapCommand.CommitMigration m) {
      return "commit migration " + m.migrationId();
    } else if (c instanceof MapCommand.EndMigration m) {
      return "end migration " + m.migrationId();
    } else if (c instanceof MapCommand.AbortMigration m) {
      return "abort migration " + m.migrationId();
    } else if (c instanceof MapCommand.LeaveGroup l) {
      return "group " + l.groupId() + " is leaving";
    }
    return c.toString();
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** Left-aligned columns, two spaces apart, no trailing spaces. */
  private static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    boolean isEmpty() {
      return rows.size() == 1;
    }

    String render() {
      int cols = rows.get(0).length;
      int[] width = new int[cols];
      for (String[] r : rows) {
        for (int i = 0; i < cols; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cols; i++) {
          line.append(r[i]);
          if (i < cols - 1) {
            line.append(" ".repeat(width[i] - r[i].length() + 2));
          }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
      }
      return sb.toString();
    }
  }
}
