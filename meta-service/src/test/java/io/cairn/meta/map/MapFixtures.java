package io.cairn.meta.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Stores, and seeded random commands that build varied maps. */
final class MapFixtures {
  private MapFixtures() {}

  static StoreInfo store(long id) {
    return new StoreInfo(id, "10.0.0." + id + ":7000", "10.0.0." + id + ":7100", StoreState.UP);
  }

  static List<StoreInfo> stores(int n) {
    List<StoreInfo> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(store(i));
    }
    return out;
  }

  /** A random command of any type with plausible (often valid, sometimes invalid) arguments. */
  static MapCommand randomCommand(Random rnd, ShardMap map) {
    long store = pick(rnd, map.stores().stream().mapToLong(StoreInfo::id).toArray());
    long group = pick(rnd, map.groups().stream().mapToLong(GroupInfo::id).toArray());
    int kind = rnd.nextInt(4) == 0 ? 9 + rnd.nextInt(5) : rnd.nextInt(9); // migration commands: a quarter
    if (kind == 1 && rnd.nextInt(4) != 0) {
      kind = 0; // removing stores is rare, or the random cluster runs out of stores
    }
    switch (kind) {
      case 0: {
        long id = rnd.nextInt(8) == 0 ? store : map.stores().size() + 1 + rnd.nextInt(2);
        return new MapCommand.AddStore(new StoreInfo(id, "h" + id + ":1", "h" + id + ":2",
            rnd.nextInt(4) == 0 ? StoreState.DOWN : StoreState.UP));
      }
      case 1:
        return new MapCommand.RemoveStore(store);
      case 2:
        return new MapCommand.SetStoreState(store, rnd.nextBoolean() ? StoreState.UP : StoreState.DOWN);
      case 3: {
        List<Replica> replicas = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          replicas.add(new Replica(pick(rnd, map.stores().stream().mapToLong(StoreInfo::id).toArray()), i == 0 ? ReplicaRole.VOTER : randomRole(rnd)));
        }
        return new MapCommand.CreateGroup(rnd.nextInt(5) == 0 ? group : 1 + rnd.nextInt(40), replicas);
      }
      case 4:
        return new MapCommand.SetReplicaRole(group, store, randomRole(rnd));
      case 5:
        return new MapCommand.RemoveReplica(group, store);
      case 6:
      case 7: {
        List<SlotRange> ranges = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          int first = rnd.nextInt(ShardMap.SLOT_COUNT);
          int last = Math.min(ShardMap.SLOT_COUNT - 1, first + rnd.nextInt(3000));
          ranges.add(new SlotRange(first, last));
        }
        return new MapCommand.AssignSlots(ranges, group);
      }
      case 8:
        return new MapCommand.DestroyGroup(group);
      case 9:
      case 10: {
        List<Migration> list = new ArrayList<>();
        long id = map.nextMigrationId() + (rnd.nextInt(8) == 0 ? -1 : rnd.nextInt(3));
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
          int first = rnd.nextInt(ShardMap.SLOT_COUNT);
          long source = map.groupOf(first);
          int last = first;
          while (last < ShardMap.SLOT_COUNT - 1 && last - first < 40 && map.groupOf(last + 1) == source) {
            last++;
          }
          list.add(Migration.moving(Math.max(1, id++), new SlotRange(first, first + rnd.nextInt(last - first + 1)),
              source == ShardMap.UNASSIGNED ? group : source,
              pick(rnd, map.groups().stream().mapToLong(GroupInfo::id).toArray())));
        }
        return new MapCommand.BeginMigration(list);
      }
      case 11:
        return new MapCommand.CommitMigration(migration(rnd, map));
      case 12:
        return rnd.nextBoolean() ? new MapCommand.EndMigration(migration(rnd, map))
            : new MapCommand.AbortMigration(migration(rnd, map));
      default:
        return new MapCommand.LeaveGroup(group);
    }
  }

  private static long migration(Random rnd, ShardMap map) {
    return pick(rnd, map.migrations().stream().mapToLong(Migration::id).toArray());
  }

  /** Mostly an existing id, sometimes a new or unknown one. */
  static long pick(Random rnd, long[] existing) {
    if (existing.length == 0 || rnd.nextInt(5) == 0) {
      return 1 + rnd.nextInt(existing.length + 3);
    }
    return existing[rnd.nextInt(existing.length)];
  }

  static ReplicaRole randomRole(Random rnd) {
    return ReplicaRole.values()[rnd.nextInt(ReplicaRole.values().length)];
  }

  /** Applies random commands, skipping refused ones, until {@code changes} were accepted. */
  static ShardMap randomMap(Random rnd, int changes) {
    ShardMap m = ShardMap.empty();
    int guard = 0;
    while (m.version() < changes && guard++ < changes * 50) {
      try {
        m = m.apply(randomCommand(rnd, m));
      } catch (MapException refused) {
        // invalid for this map: try another
      }
    }
    return m;
  }
}
