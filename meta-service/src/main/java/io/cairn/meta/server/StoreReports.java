package io.cairn.meta.server;

import io.cairn.meta.proto.GroupReport;
import io.cairn.meta.proto.HeartbeatRequest;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.StoreReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the stores told this meta replica in their heartbeats: the newest report of each store
 * and when it came (this replica's monotonic clock), and the leader hints derived from them.
 * In memory only (not replicated): a new meta leader starts empty and fills up within one
 * heartbeat interval.
 *
 * <p>Leader hint of a group = the store whose newest report claims LEADER at the highest term
 * (two claims at the same term cannot both be current: Raft elects one leader per term; the
 * lower store id wins a tie to stay deterministic). Thread-safe (one lock; reports are small).
 */
final class StoreReports {
  private record Seen(long atNanos, HeartbeatRequest report) {}

  private final Map<Long, Seen> byStore = new HashMap<>();
  private Map<Long, LeaderHint> hints = Map.of();

  /** A store registered or heartbeated now: it counts as alive from this moment. */
  synchronized void touch(long storeId, long nowNanos) {
    Seen old = byStore.get(storeId);
    byStore.put(storeId, new Seen(nowNanos, old == null ? HeartbeatRequest.newBuilder().setStoreId(storeId).build()
        : old.report()));
  }

  /** Records a heartbeat; returns the hints that changed (empty when none did). */
  synchronized List<LeaderHint> record(HeartbeatRequest report, long nowNanos) {
    byStore.put(report.getStoreId(), new Seen(nowNanos, report));
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

  /** Current hints, by group id. */
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
  }
}
