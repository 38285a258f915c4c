package io.cairn.meta.server;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where replicas go when a store joins or leaves (docs/meta-service.md, "Store changes"). Pure (no
 * clock, no I/O): it looks at one map and names the next move; {@link StoreChanges} makes it
 * (through {@link ReplicaChanges}) and asks again with the map that results. Since every answer
 * is derived from the map alone, a change interrupted half-way (a meta leader change) is carried
 * on by asking again.
 *
 * <p>Counts are replicas of any role per store; only UP stores give or take replicas when
 * spreading, and only UP stores take a drained store's replicas. Ties go to the lowest store id,
 * groups are taken in id order.
 */
final class ReplicaPlacement {
  /**
   * Add a replica of {@code groupId} with {@code role} on store {@code to}, then remove the one
   * on store {@code from}. {@code to} = 0: only remove it (the group keeps enough voters).
   */
  record Move(long groupId, long from, long to, ReplicaRole role) {}

  private ReplicaPlacement() {}

  /** Replicas per UP store of the map (0 for an UP store without replicas), by store id. */
  static Map<Long, Integer> upCounts(ShardMap map) {
    Map<Long, Integer> counts = new TreeMap<>();
    for (StoreInfo s : map.stores()) {
      if (s.state() == StoreState.UP) {
        counts.put(s.id(), 0);
      }
    }
    for (GroupInfo g : map.groups()) {
      for (Replica r : g.replicas()) {
        counts.computeIfPresent(r.storeId(), (id, n) -> n + 1);
      }
    }
    return counts;
  }

  /**
   * The next move that evens out the UP stores' replica counts, or empty once they are within
   * one of each other (or no allowed move lowers the spread: every group of a store with most
   * replicas is already on every store with fewest). The store with most replicas gives (lowest
   * id on a tie), to the store with fewest (lowest id on a tie) that does not host the group,
   * its first group (by id) that store does not host; the replica keeps its role. Each move
   * lowers the sum of squared counts, so repeated moves end.
   */
  static Optional<Move> nextSpreadMove(ShardMap map) {
    Map<Long, Integer> counts = upCounts(map);
    List<Long> givers = new ArrayList<>(counts.keySet());
    givers.sort(Comparator.comparing((Long s) -> -counts.get(s)).thenComparing(s -> s));
    List<Long> takers = new ArrayList<>(counts.keySet());
    takers.sort(Comparator.comparing((Long s) -> counts.get(s)).thenComparing(s -> s));
    for (long from : givers) {
      for (long to : takers) {
        if (counts.get(from) - counts.get(to) < 2) {
          break; // later takers have as many or more
        }
        for (GroupInfo g : map.groups()) {
          Optional<Replica> r = g.replicaOn(from);
          if (r.isPresent() && g.replicaOn(to).isEmpty()) {
            return Optional.of(new Move(g.id(), from, to, r.get().role()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code store} cannot be removed, or null: a group it hosts has more replicas than there
   * would be other stores (not REMOVED) left to host them — unless the replica's replacement is
   * already there (a move interrupted half-way, see {@link #nextDrainMove}).
   */
  static String removalRefusal(ShardMap map, long store, int replicationFactor) {
    List<Long> others = map.stores().stream()
        .filter(s -> s.id() != store && s.state() != StoreState.REMOVED).map(StoreInfo::id).toList();
    for (GroupInfo g : map.groups()) {
      Replica r = g.replicaOn(store).orElse(null);
      if (r != null && g.replicas().size() > others.size()
          && replacementUnderWay(g, r, replicationFactor, others).isEmpty()) {
        return "cannot remove store " + store + ": group " + g.id() + " has " + g.replicas().size()
            + " replicas and only " + others.size() + " other stores would be left " + others;
      }
    }
    return null;
  }

  /**
   * For a voter on the drained store: the move that needs no new store — only the removal when
   * the group keeps {@code replicationFactor} voters without it, the promotion of a LEARNER on one
   * of {@code candidates} (an interrupted move's add) — or empty.
   */
  private static Optional<Move> replacementUnderWay(GroupInfo g, Replica r, int replicationFactor,
                                                    java.util.Collection<Long> candidates) {
    if (r.role() != ReplicaRole.VOTER) {
      return Optional.empty();
    }
    if (g.voterCount() - 1 >= replicationFactor) {
      return Optional.of(new Move(g.id(), r.storeId(), 0, ReplicaRole.VOTER));
    }
    for (Replica other : g.replicas()) {
      if (other.role() == ReplicaRole.LEARNER && candidates.contains(other.storeId())) {
        return Optional.of(new Move(g.id(), r.storeId(), other.storeId(), ReplicaRole.VOTER));
      }
    }
    return Optional.empty();
  }

  /**
   * The next move of draining {@code store}, or empty when it hosts no replica. For its first
   * group (by id):
   *
   * <ul>
   *   <li>a voter, when the group keeps at least {@code replicationFactor} voters without it
   *       (the add of an interrupted move is done): only removed;</li>
   *   <li>a voter, when the group has a LEARNER on another UP store (an interrupted move's add):
   *       that learner is promoted (the add goes on), then the voter removed;</li>
   *   <li>otherwise added with its role on the UP store with the fewest replicas that does not
   *       host the group, then removed.</li>
   * </ul>
   *
   * @throws ReplicaChanges.Refused when no UP store can take the replica
   */
  static Optional<Move> nextDrainMove(ShardMap map, long store, int replicationFactor) {
    Map<Long, Integer> counts = upCounts(map);
    counts.remove(store);
    for (GroupInfo g : map.groups()) {
      Replica r = g.replicaOn(store).orElse(null);
      if (r == null) {
        continue;
      }
      Optional<Move> underWay = replacementUnderWay(g, r, replicationFactor, counts.keySet());
      if (underWay.isPresent()) {
        return underWay;
      }
      long to = 0;
      for (Map.Entry<Long, Integer> e : counts.entrySet()) { // in id order: the lowest id wins a tie
        if (g.replicaOn(e.getKey()).isEmpty() && (to == 0 || e.getValue() < counts.get(to))) {
          to = e.getKey();
        }
      }
      if (to == 0) {
        throw new ReplicaChanges.Refused("no UP store can take the " + r.role().name().toLowerCase(java.util.Locale.ROOT)
            + " replica of group " + g.id() + " from store " + store + " (stores without a replica of it: "
            + withoutGroup(map, g, store) + ")");
      }
      return Optional.of(new Move(g.id(), store, to, r.role()));
    }
    return Optional.empty();
  }

  private static String withoutGroup(ShardMap map, GroupInfo g, long store) {
    String list = map.stores().stream()
        .filter(s -> s.id() != store && s.state() != StoreState.REMOVED && g.replicaOn(s.id()).isEmpty())
        .map(s -> s.id() + " " + s.state()).collect(Collectors.joining(", "));
    return list.isEmpty() ? "none" : list;
  }
}
