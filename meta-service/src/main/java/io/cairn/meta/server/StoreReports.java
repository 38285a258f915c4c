package io.cairn.meta.server;

import io.cairn.meta.proto.GroupReport;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.StoreReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the stores told this meta replica in their heartbeats: the newest report of each store
 * and when it came (this replica's monotonic clock), the leader hints derived from them, and the
 * newest measured size of each group. In memory only (not replicated): a new meta leader starts
 * empty and fills up within one heartbeat interval (sizes: once the group leaders have measured).
 *
 * <p>Leader hint of a group = the store whose newest report claims LEADER at the highest term
 * (two claims at the same term cannot both be current: Raft elects one leader per term; the
 * lower store id wins a tie to stay deterministic). Thread-safe (one lock; reports are small).
 *
 * <p>Size of a group = the measured ({@code sized}) report with the highest (term, sized_index)
 * seen so far, kept when its store stops measuring (e.g. it lost the leadership and the new
 * leader has not measured yet), so the size never drops to unknown in between; dropped when the
 * group leaves the map.
 */
final class StoreReports {
  private record Seen(long atNanos, HeartbeatRequest report) {}

  /** What one heartbeat changed: leader hints and group sizes (store 0: no longer known). */
  record Changes(List<LeaderHint> hints, List<GroupSize> sizes) {
    boolean isEmpty() {
      return hints.isEmpty() && sizes.isEmpty();
    }
  }

  private final Map<Long, Seen> byStore = new HashMap<>();
  private Map<Long, LeaderHint> hints = Map.of();
  /**
   * Leadership transfers this replica saw complete (the new leader answered), by group: they
   * count as a LEADER claim until a report at that term or a later one arrives, so the hint does
   * not fall back to the old leader's stale report until the new leader's next heartbeat.
   */
  private final Map<Long, LeaderHint> moved = new HashMap<>();
  private final Map<Long, GroupSize> sizes = new TreeMap<>();

  /** A store registered or heartbeated now: it counts as alive from this moment. */
  synchronized void touch(long storeId, long nowNanos) {
    Seen old = byStore.get(storeId);
    byStore.put(storeId, new Seen(nowNanos, old == null ? HeartbeatRequest.newBuilder().setStoreId(storeId).build()
        : old.report()));
  }

  /**
   * Records a heartbeat; returns the hints and sizes that changed (empty when none did).
   * {@code groups}: the groups of the current map (sizes of other groups are dropped).
   */
  synchronized Changes record(HeartbeatRequest report, long nowNanos, Set<Long> groups) {
    byStore.put(report.getStoreId(), new Seen(nowNanos, report));
    moved.keySet().retainAll(groups); // a transfer of a group that left the map no longer counts
    return new Changes(recomputeHints(), recordSizes(report, groups));
  }

  private List<LeaderHint> recomputeHints() {
    Map<Long, LeaderHint> next = new TreeMap<>();
    for (Seen s : byStore.values()) {
      for (GroupReport g : s.report().getGroupsList()) {
        if (!"LEADER".equals(g.getRole())) {
          continue;
        }
        LeaderHint cur = next.get(g.getGroupId());
        long store = s.report().getStoreId();
        if (cur == null || g.getTerm() > cur.getTerm()
            || (g.getTerm() == cur.getTerm() && store < cur.getStoreId())) {
          next.put(g.getGroupId(), LeaderHint.newBuilder().setGroupId(g.getGroupId()).setStoreId(store)
              .setTerm(g.getTerm()).build());
        }
      }
    }
    moved.values().removeIf(m -> {
      LeaderHint reported = next.get(m.getGroupId());
      if (reported != null && reported.getTerm() >= m.getTerm()) {
        return true; // the reports caught up
      }
      next.put(m.getGroupId(), m);
      return false;
    });
    List<LeaderHint> changed = new ArrayList<>();
    for (LeaderHint h : next.values()) {
      if (!h.equals(hints.get(h.getGroupId()))) {
        changed.add(h);
      }
    }
    for (Long g : hints.keySet()) {
      if (!next.containsKey(g)) {
        changed.add(LeaderHint.newBuilder().setGroupId(g).build()); // store 0: no longer known
      }
    }
    hints = Map.copyOf(next);
    return changed;
  }

  /**
   * A leadership transfer completed: {@code storeId} leads {@code groupId} at {@code term} (its
   * own answer). Returns the hints that changed.
   */
  synchronized Changes leaderMoved(long groupId, long storeId, long term) {
    LeaderHint cur = hints.get(groupId);
    if (cur == null || cur.getTerm() < term) {
      moved.put(groupId, LeaderHint.newBuilder().setGroupId(groupId).setStoreId(storeId).setTerm(term).build());
    }
    return new Changes(recomputeHints(), List.of());
  }

  /** Current hints as group id → store id. */
  synchronized Map<Long, Long> leaderByGroup() {
    Map<Long, Long> out = new TreeMap<>();
    hints.forEach((g, h) -> out.put(g, h.getStoreId()));
    return out;
  }

  /**
   * Group id → the stores whose newest report says they follow the group's hinted leader in the
   * hint's term (reachable replicas of the current term, as of their last heartbeat).
   */
  synchronized Map<Long, Set<Long>> following() {
    Map<Long, Set<Long>> out = new TreeMap<>();
    for (Seen s : byStore.values()) {
      for (GroupReport g : s.report().getGroupsList()) {
        LeaderHint h = hints.get(g.getGroupId());
        if (h != null && "FOLLOWER".equals(g.getRole()) && g.getLeaderId() == h.getStoreId()
            && g.getTerm() == h.getTerm()) {
          out.computeIfAbsent(g.getGroupId(), k -> new java.util.TreeSet<>()).add(s.report().getStoreId());
        }
      }
    }
    return out;
  }

  private List<GroupSize> recordSizes(HeartbeatRequest report, Set<Long> groups) {
    List<GroupSize> changed = new ArrayList<>();
    for (GroupReport g : report.getGroupsList()) {
      if (!g.getSized() || !groups.contains(g.getGroupId())) {
        continue;
      }
      GroupSize cur = sizes.get(g.getGroupId());
      if (cur != null && (g.getTerm() < cur.getTerm()
          || (g.getTerm() == cur.getTerm() && g.getSizedIndex() < cur.getIndex()))) {
        continue; // an older measurement (e.g. of a deposed leader) than the one kept
      }
      GroupSize next = GroupSize.newBuilder().setGroupId(g.getGroupId()).setKeyCount(g.getKeyCount())
          .setExpiresCount(g.getExpiresCount()).setSizeBytes(g.getSizeBytes())
          .setStoreId(report.getStoreId()).setTerm(g.getTerm()).setIndex(g.getSizedIndex()).build();
      sizes.put(g.getGroupId(), next);
      if (cur == null || cur.getKeyCount() != next.getKeyCount() || cur.getExpiresCount() != next.getExpiresCount()
          || cur.getSizeBytes() != next.getSizeBytes()) {
        changed.add(next);
      }
    }
    sizes.keySet().removeIf(id -> {
      boolean gone = !groups.contains(id);
      if (gone) {
        changed.add(GroupSize.newBuilder().setGroupId(id).build());
      }
      return gone;
    });
    return changed;
  }

  /** The newest measured size of each group that has one, by group id. */
  synchronized List<GroupSize> sizes() {
    return List.copyOf(sizes.values());
  }

  /**
   * The applied index of {@code group} in the newest heartbeat of {@code storeId}, or -1 when
   * that heartbeat did not report the group (or the store never sent one).
   */
  synchronized long appliedIndex(long storeId, long group) {
    Seen s = byStore.get(storeId);
    if (s != null) {
      for (GroupReport g : s.report().getGroupsList()) {
        if (g.getGroupId() == group) {
          return g.getAppliedIndex();
        }
      }
    }
    return -1;
  }

  /** Current hints, by group id. */
  /** The group's leader hint, or null when no store reported leading it. */
  synchronized LeaderHint hint(long groupId) {
    return hints.get(groupId);
  }

  synchronized List<LeaderHint> hints() {
    return List.copyOf(new TreeMap<>(hints).values());
  }

  /** Nanos (this replica's clock) of the store's last registration or heartbeat; null = never. */
  synchronized Long lastSeenNanos(long storeId) {
    Seen s = byStore.get(storeId);
    return s == null ? null : s.atNanos();
  }

  synchronized List<StoreReport> reports(Iterable<Long> storeIds, long nowNanos) {
    List<StoreReport> out = new ArrayList<>();
    for (long id : storeIds) {
      Seen s = byStore.get(id);
      StoreReport.Builder b = StoreReport.newBuilder().setStoreId(id)
          .setLastHeartbeatMsAgo(s == null ? -1 : (nowNanos - s.atNanos()) / 1_000_000);
      if (s != null) {
        b.addAllGroups(s.report().getGroupsList());
      }
      out.add(b.build());
    }
    return out;
  }

  synchronized void clear() {
    byStore.clear();
    hints = Map.of();
    moved.clear();
    sizes.clear();
  }
}
