package io.cairn.meta.server;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Migration;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure planning of slot moves (no I/O, deterministic): splitting a {@code move} into migrations,
 * the moves of a {@code rebalance} or a {@code leave}, and the placement of a joining group.
 * The driver ({@link SlotMigrations}) turns plans into {@code BeginMigration} commands.
 */
final class SlotPlans {
  private SlotPlans() {}

  /** A refusal of a plan; the message is the answer's {@code error}. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** Ranges to move to one group. */
  record Move(SlotRange range, long target) {}

  /**
   * What a move of {@code ranges} to {@code target} begins ({@code begin}, ids from
   * {@link ShardMap#nextMigrationId()}) and the migrations already moving those slots to the
   * target ({@code awaiting}).
   */
  record Split(List<Migration> begin, Set<Long> awaiting) {}

  /**
   * Splits ranges by current owner and into batches of at most {@code batchSlots} slots. Slots the
   * target owns (and that are in no migration) are skipped; slots in a migration to the target are
   * awaited. Refused: unknown or leaving target, unassigned slots, slots in a migration elsewhere.
   */
  static Split split(ShardMap map, List<SlotRange> ranges, long target, int batchSlots) {
    if (map.findGroup(target).isEmpty()) {
      throw new Refused("unknown group: " + target);
    }
    if (map.isLeaving(target)) {
      throw new Refused("group " + target + " is leaving: it takes no slots");
    }
    List<Migration> begin = new ArrayList<>();
    Set<Long> awaiting = new TreeSet<>();
    boolean[] seen = new boolean[ShardMap.SLOT_COUNT];
    long id = map.nextMigrationId();
    for (SlotRange r : ranges) {
      int runStart = -1;
      long runOwner = 0;
      for (int slot = r.first(); slot <= r.last() + 1; slot++) {
        long owner = -1; // -1: not part of a run to move
        if (slot <= r.last() && !seen[slot]) {
          seen[slot] = true;
          Migration in = map.migrationOf(slot).orElse(null);
          long o = map.groupOf(slot);
          if (in != null) {
            if (in.target() != target) {
              throw new Refused("slot " + slot + " is in migration " + in.id() + " (" + in.range() + " to group "
                  + in.target() + ")");
            }
            awaiting.add(in.id());
          } else if (o == ShardMap.UNASSIGNED) {
            throw new Refused("slot " + slot + " is not assigned to any group");
          } else if (o != target) {
            owner = o;
          }
        }
        boolean ends = runStart >= 0 && (owner != runOwner || slot - runStart == batchSlots);
        if (ends) {
          begin.add(Migration.moving(id++, new SlotRange(runStart, slot - 1), runOwner, target));
          runStart = -1;
        }
        if (owner > 0 && runStart < 0) {
          runStart = slot;
          runOwner = owner;
        }
      }
    }
    return new Split(begin, awaiting);
  }

  /** Number of slots each group will own once the migrations in flight ended. */
  static Map<Long, Integer> futureCounts(ShardMap map) {
    Map<Long, Integer> n = new TreeMap<>();
    for (GroupInfo g : map.groups()) {
      n.put(g.id(), 0);
    }
    for (int slot = 0; slot < ShardMap.SLOT_COUNT; slot++) {
      long owner = map.groupOf(slot);
      if (owner == ShardMap.UNASSIGNED) {
        continue;
      }
      Migration m = map.migrationOf(slot).orElse(null);
      n.merge(m != null ? m.target() : owner, 1, Integer::sum);
    }
    return n;
  }

  /**
   * The moves that even out the slot counts: every group not leaving ends with ⌊S/G⌋ or ⌈S/G⌉ of
   * the S assigned slots (the larger counts go to the groups that hold most now, so fewest slots
   * move: each moved slot is one a donor has above its share), leaving groups with none. Donors
   * give from the high end of their ranges (slots in a migration stay put), receivers in id order
   * take contiguous runs where the donor has them. Empty when balanced or no group may receive.
   */
  static List<Move> rebalance(ShardMap map) {
    Map<Long, Integer> count = futureCounts(map);
    List<Long> staying = new ArrayList<>();
    for (long g : count.keySet()) {
      if (!map.isLeaving(g)) {
        staying.add(g);
      }
    }
    if (staying.isEmpty()) {
      return List.of();
    }
    int total = count.values().stream().mapToInt(Integer::intValue).sum();
    int base = total / staying.size();
    int extra = total % staying.size();
    List<Long> byCount = new ArrayList<>(staying);
    byCount.sort(Comparator.comparing((Long g) -> -count.get(g)).thenComparing(g -> g));
    Map<Long, Integer> share = new HashMap<>();
    for (int i = 0; i < byCount.size(); i++) {
      share.put(byCount.get(i), base + (i < extra ? 1 : 0));
    }
    // donors: what each gives, taken from its highest free slots
    Map<Long, List<Integer>> gives = new TreeMap<>();
    for (long g : count.keySet()) {
      int excess = count.get(g) - share.getOrDefault(g, 0);
      if (excess <= 0) {
        continue;
      }
      List<Integer> slots = new ArrayList<>();
      for (int slot = ShardMap.SLOT_COUNT - 1; slot >= 0 && slots.size() < excess; slot--) {
        if (map.groupOf(slot) == g && map.migrationOf(slot).isEmpty()) {
          slots.add(slot);
        }
      }
      slots.sort(null);
      gives.put(g, slots);
    }
    List<Move> out = new ArrayList<>();
    for (long g : staying) {
      int need = share.get(g) - count.get(g);
      for (List<Integer> pool : gives.values()) {
        if (need <= 0) {
          break;
        }
        int take = Math.min(need, pool.size());
        List<Integer> taken = pool.subList(pool.size() - take, pool.size());
        out.addAll(runs(taken, g));
        taken.clear();
        need -= take;
      }
    }
    out.sort(Comparator.comparingInt((Move m) -> m.range().first()));
    return out;
  }

  /** Sorted slots as maximal contiguous ranges moving to {@code target}. */
  private static List<Move> runs(List<Integer> slots, long target) {
    List<Move> out = new ArrayList<>();
    int i = 0;
    while (i < slots.size()) {
      int j = i;
      while (j + 1 < slots.size() && slots.get(j + 1) == slots.get(j) + 1) {
        j++;
      }
      out.add(new Move(new SlotRange(slots.get(i), slots.get(j)), target));
      i = j + 1;
    }
    return out;
  }

  /** The migrations (ids from the map's next id) of a list of moves, in batches of {@code batchSlots}. */
  static List<Migration> migrations(ShardMap map, List<Move> moves, int batchSlots) {
    List<Migration> out = new ArrayList<>();
    long id = map.nextMigrationId();
    for (Move mv : moves) {
      for (int first = mv.range().first(); first <= mv.range().last(); ) {
        long owner = map.groupOf(first);
        int last = first;
        while (last < mv.range().last() && last - first + 1 < batchSlots && map.groupOf(last + 1) == owner) {
          last++;
        }
        out.add(Migration.moving(id++, new SlotRange(first, last), owner, mv.target()));
        first = last + 1;
      }
    }
    return out;
  }

  /**
   * Stores for a new group's {@code n} voters: the UP stores hosting fewest replicas (lower id on
   * a tie). Refused when fewer than {@code n} stores are UP.
   */
  static List<Long> placement(ShardMap map, int n) {
    return placement(map, n, Set.of());
  }

  /** The same, never on the {@code excluded} stores (a store being removed: StoreChanges). */
  static List<Long> placement(ShardMap map, int n, Set<Long> excluded) {
    Map<Long, Integer> hosted = ReplicaPlacement.upCounts(map);
    hosted.keySet().removeAll(excluded);
    if (n < 1 || hosted.size() < n) {
      throw new Refused("cannot place " + n + " replicas: " + hosted.size() + " stores are UP"
          + (excluded.isEmpty() ? "" : " and not being removed") + " (expected: >= " + Math.max(1, n) + ")");
    }
    List<Long> ids = new ArrayList<>(hosted.keySet());
    ids.sort(Comparator.comparing((Long s) -> hosted.get(s)).thenComparing(s -> s));
    List<Long> chosen = new ArrayList<>(ids.subList(0, n));
    chosen.sort(null);
    return chosen;
  }
}
