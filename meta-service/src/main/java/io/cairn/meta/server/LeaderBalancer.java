package io.cairn.meta.server;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which group leadership to move next so that every live store leads about as many groups as the
 * others. Pure (no clock, no I/O): the meta leader feeds it the map, the leader of each group (its
 * hints) and the stores it considers live, and runs at most one returned move at a time.
 *
 * <p>Rule: a live store A that leads at least 2 groups more than a live store B, where B holds a
 * voter replica of one of A's groups and follows A in it, hands that group to B. Each move lowers the spread
 * (A loses one, B gains one, and A − B ≥ 2 before), so repeated moves end: with G groups on S
 * stores, each holding a voter of every group (the bootstrap places them so when RF = S), every
 * store ends up leading ⌊G/S⌋ or ⌈G/S⌉. Choice, for determinism: the store leading most (lowest id
 * on a tie) gives; among its groups (by id) and their voters, the live voter leading fewest
 * (lowest id on a tie) takes.
 */
final class LeaderBalancer {
  /** Hand the leadership of {@code groupId} from store {@code from} to store {@code to}. */
  record Move(long groupId, long from, long to) {}

  private LeaderBalancer() {}

  /**
   * The next move, or empty when no live store leads 2 more than a live voter of one of its
   * groups. {@code leaders}: group id → store believed to lead it (groups missing: unknown, not
   * counted); {@code live}: stores that may give or take leadership; {@code following}: group id
   * → the stores that last reported following that leader in its current term — only they may
   * take the group (a store that stopped before the group's last election never reported the new
   * term, so the balancer does not hand it a group it cannot take).
   */
  static Optional<Move> next(ShardMap map, Map<Long, Long> leaders, Set<Long> live,
                             Map<Long, Set<Long>> following) {
    Map<Long, Integer> leads = new TreeMap<>();
    live.forEach(s -> leads.put(s, 0));
    Map<Long, List<GroupInfo>> ledBy = new TreeMap<>();
    for (GroupInfo g : map.groups()) {
      Long leader = leaders.get(g.id());
      if (leader != null && live.contains(leader)) {
        leads.merge(leader, 1, Integer::sum);
        ledBy.computeIfAbsent(leader, k -> new ArrayList<>()).add(g);
      }
    }
    List<Long> givers = new ArrayList<>(ledBy.keySet());
    givers.sort(Comparator.comparing((Long s) -> -leads.get(s)).thenComparing(s -> s));
    for (long from : givers) {
      Move best = null;
      int bestLeads = Integer.MAX_VALUE;
      for (GroupInfo g : ledBy.get(from)) { // map.groups() is in id order
        for (Replica r : g.replicas()) { // in store id order
          long to = r.storeId();
          if (r.role() != ReplicaRole.VOTER || to == from || !live.contains(to)
              || !following.getOrDefault(g.id(), Set.of()).contains(to)) {
            continue;
          }
          int n = leads.get(to);
          if (leads.get(from) - n >= 2 && n < bestLeads) {
            best = new Move(g.id(), from, to);
            bestLeads = n;
          }
        }
      }
      if (best != null) {
        return Optional.of(best);
      }
    }
    return Optional.empty();
  }
}
