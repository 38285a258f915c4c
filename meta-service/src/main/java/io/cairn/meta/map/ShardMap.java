package io.cairn.meta.map;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shard map: stores, groups with their replicas, and the owner group of each of the 16384
 * slots, at one version. An immutable value: {@link #apply} returns a new map whose version is
 * exactly one more, or throws {@link MapException} and changes nothing. Pure and deterministic (no
 * clock, no random), so every meta replica applying the same commands holds equal maps.
 *
 * <p>Invariants: store and group ids are positive; group ids fit in 31 bits (the slot table is an
 * {@code int[]}); every replica names a known, non-REMOVED store, at most once per group; every
 * group has at least one VOTER; every slot owner (0 = unassigned) is a known group.
 *
 * <p>Not ideal: a destroyed group's id may be reused by a later CreateGroup; the store must then
 * hold no stale data of the old group (it deletes a group's key range when the replica goes).
 */
public final class ShardMap {
  public static final int SLOT_COUNT = 16384;
  /** Slot table value of a slot no group owns. */
  public static final long UNASSIGNED = 0;

  private static final ShardMap EMPTY =
      new ShardMap(0, new TreeMap<>(), new TreeMap<>(), new int[SLOT_COUNT], new TreeMap<>(), 1, new TreeSet<>());

  private final long version;
  private final SortedMap<Long, StoreInfo> stores;
  private final SortedMap<Long, GroupInfo> groups;
  /** slot → group id (0 = unassigned). Never mutated after construction; shared between versions. */
  private final int[] slotOwner;
  /** Migrations in flight by id. */
  private final SortedMap<Long, Migration> migrations;
  /** The id the next BeginMigration may use at the least (ids are never reused). */
  private final long nextMigrationId;
  /** Groups marked by LeaveGroup: drained by the meta leader, then destroyed. */
  private final SortedSet<Long> leaving;

  private ShardMap(long version, SortedMap<Long, StoreInfo> stores,
      SortedMap<Long, GroupInfo> groups, int[] slotOwner, SortedMap<Long, Migration> migrations,
      long nextMigrationId, SortedSet<Long> leaving) {
    this.version = version;
    this.stores = Collections.unmodifiableSortedMap(stores);
    this.groups = Collections.unmodifiableSortedMap(groups);
    this.slotOwner = slotOwner;
    this.migrations = Collections.unmodifiableSortedMap(migrations);
    this.nextMigrationId = nextMigrationId;
    this.leaving = Collections.unmodifiableSortedSet(leaving);
  }

  /** The next version with these parts changed (the others shared). */
  private ShardMap next(SortedMap<Long, StoreInfo> s, SortedMap<Long, GroupInfo> g, int[] slots) {
    // Copies, not the unmodifiable views (wrapping views of views would nest a level per version).
    return new ShardMap(version + 1, new TreeMap<>(s), new TreeMap<>(g), slots, new TreeMap<>(migrations),
        nextMigrationId, new TreeSet<>(leaving));
  }

  private ShardMap next(int[] slots, SortedMap<Long, Migration> m, long nextId, SortedSet<Long> l) {
    return new ShardMap(version + 1, new TreeMap<>(stores), new TreeMap<>(groups), slots, new TreeMap<>(m), nextId,
        new TreeSet<>(l));
  }

  /** The map of a new cluster: version 0, nothing in it. */
  public static ShardMap empty() {
    return EMPTY;
  }

  /**
   * Builds a map from decoded parts, checking the invariants (ShardMapCodec). The slot array is
   * taken over, not copied.
   */
  static ShardMap restore(long version, Collection<StoreInfo> storeList,
      Collection<GroupInfo> groupList, int[] slotOwner) {
    return restore(version, storeList, groupList, slotOwner, List.of(), 1, List.of());
  }

  /** The same with the migrations in flight and the leaving groups (map format 3). */
  static ShardMap restore(long version, Collection<StoreInfo> storeList,
      Collection<GroupInfo> groupList, int[] slotOwner, Collection<Migration> migrationList,
      long nextMigrationId, Collection<Long> leavingList) {
    if (version < 0) {
      throw new MapException("invalid map version: " + version + " (expected: >= 0)");
    }
    if (slotOwner.length != SLOT_COUNT) {
      throw new MapException("slot table has " + slotOwner.length + " slots (expected: " + SLOT_COUNT + ")");
    }
    TreeMap<Long, StoreInfo> s = new TreeMap<>();
    for (StoreInfo store : storeList) {
      checkStoreId(store.id());
      if (s.put(store.id(), store) != null) {
        throw new MapException("duplicate store id: " + store.id());
      }
    }
    TreeMap<Long, GroupInfo> g = new TreeMap<>();
    for (GroupInfo group : groupList) {
      checkGroupId(group.id());
      checkReplicas(group.id(), group.replicas(), s);
      if (group.founders().isEmpty()) {
        throw new MapException("group " + group.id() + " has no founding voter");
      }
      for (long f : group.founders()) {
        checkStoreId(f);
      }
      if (g.put(group.id(), sorted(group.id(), group.replicas(), group.founders())) != null) {
        throw new MapException("duplicate group id: " + group.id());
      }
    }
    for (int slot = 0; slot < SLOT_COUNT; slot++) {
      if (slotOwner[slot] != UNASSIGNED && !g.containsKey((long) slotOwner[slot])) {
        throw new MapException("slot " + slot + " owned by unknown group " + slotOwner[slot]);
      }
    }
    TreeMap<Long, Migration> m = new TreeMap<>();
    boolean[] moving = new boolean[SLOT_COUNT];
    for (Migration mig : migrationList) {
      if (mig.id() <= 0 || mig.id() >= nextMigrationId) {
        throw new MapException("invalid migration id: " + mig.id() + " (expected: 1.." + (nextMigrationId - 1) + ")");
      }
      if (m.put(mig.id(), mig) != null) {
        throw new MapException("duplicate migration id: " + mig.id());
      }
      checkMigration(mig, g, moving);
      long owner = slotOwner[mig.range().first()];
      long expected = mig.phase() == Migration.Phase.MOVING ? mig.source() : mig.target();
      if (owner != expected || !ownsAll(slotOwner, mig.range(), expected)) {
        throw new MapException("migration " + mig.id() + " (" + mig.phase() + "): slots " + mig.range()
            + " are not all owned by group " + expected);
      }
    }
    TreeSet<Long> l = new TreeSet<>();
    for (long id : leavingList) {
      if (!g.containsKey(id) || !l.add(id)) {
        throw new MapException("leaving group " + id + " is unknown or listed twice");
      }
    }
    if (nextMigrationId <= 0) {
      throw new MapException("invalid next migration id: " + nextMigrationId + " (expected: > 0)");
    }
    return new ShardMap(version, s, g, slotOwner, m, nextMigrationId, l);
  }

  /** Checks groups and overlap of one migration; marks its slots in {@code moving}. */
  private static void checkMigration(Migration mig, SortedMap<Long, GroupInfo> groups, boolean[] moving) {
    if (!groups.containsKey(mig.source())) {
      throw new MapException("migration " + mig.id() + ": unknown source group: " + mig.source());
    }
    if (!groups.containsKey(mig.target())) {
      throw new MapException("migration " + mig.id() + ": unknown target group: " + mig.target());
    }
    if (mig.source() == mig.target()) {
      throw new MapException("migration " + mig.id() + ": source and target are both group " + mig.source());
    }
    for (int slot = mig.range().first(); slot <= mig.range().last(); slot++) {
      if (moving[slot]) {
        throw new MapException("migration " + mig.id() + ": slot " + slot + " is already in a migration");
      }
      moving[slot] = true;
    }
  }

  private static boolean ownsAll(int[] owner, SlotRange r, long group) {
    for (int slot = r.first(); slot <= r.last(); slot++) {
      if (owner[slot] != group) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- bootstrap

  /**
   * The commands that set up a new cluster on the given stores: AddStore for each (in id order),
   * {@code groupCount} groups with ids 1..groupCount and {@code replicationFactor} VOTER replicas
   * each, then the slots in contiguous, even ranges (group 1 gets slots 0.., the first
   * {@code 16384 % groupCount} groups get one slot more).
   *
   * <p>Placement: replica r of group g (0-based) goes to store {@code (g * rf + r) mod n} in id
   * order: the replicas of a group are on distinct stores (rf <= n), and store replica counts
   * differ by at most one.
   */
  public static List<MapCommand> bootstrapCommands(List<StoreInfo> storeList, int groupCount,
      int replicationFactor) {
    List<StoreInfo> sortedStores = new ArrayList<>(storeList);
    sortedStores.sort(Comparator.comparingLong(StoreInfo::id));
    int n = sortedStores.size();
    if (groupCount < 1 || groupCount > SLOT_COUNT) {
      throw new MapException("invalid group count: " + groupCount + " (expected: 1.." + SLOT_COUNT + ")");
    }
    if (replicationFactor < 1 || replicationFactor > n) {
      throw new MapException("invalid replication factor: " + replicationFactor
          + " (expected: 1..number of stores = " + n + ")");
    }
    List<MapCommand> out = new ArrayList<>();
    for (StoreInfo s : sortedStores) {
      out.add(new MapCommand.AddStore(s));
    }
    for (int g = 0; g < groupCount; g++) {
      List<Replica> replicas = new ArrayList<>();
      for (int r = 0; r < replicationFactor; r++) {
        replicas.add(Replica.voter(sortedStores.get((int) (((long) g * replicationFactor + r) % n)).id()));
      }
      out.add(new MapCommand.CreateGroup(g + 1, replicas));
    }
    int base = SLOT_COUNT / groupCount;
    int extra = SLOT_COUNT % groupCount;
    int first = 0;
    for (int g = 0; g < groupCount; g++) {
      int size = base + (g < extra ? 1 : 0);
      out.add(new MapCommand.AssignSlots(List.of(new SlotRange(first, first + size - 1)), g + 1));
      first += size;
    }
    return out;
  }

  /** The map after {@link #bootstrapCommands} applied to the empty map. */
  public static ShardMap bootstrap(List<StoreInfo> storeList, int groupCount, int replicationFactor) {
    ShardMap m = empty();
    for (MapCommand c : bootstrapCommands(storeList, groupCount, replicationFactor)) {
      m = m.apply(c);
    }
    return m;
  }

  // ---------------------------------------------------------------- apply

  /** Validates and applies one change; the result has version {@code version() + 1}. */
  public ShardMap apply(MapCommand command) {
    if (command instanceof MapCommand.AddStore c) {
      return addStore(c);
    } else if (command instanceof MapCommand.RemoveStore c) {
      return removeStore(c);
    } else if (command instanceof MapCommand.SetStoreState c) {
      return setStoreState(c);
    } else if (command instanceof MapCommand.CreateGroup c) {
      return createGroup(c);
    } else if (command instanceof MapCommand.SetReplicaRole c) {
      return setReplicaRole(c);
    } else if (command instanceof MapCommand.RemoveReplica c) {
      return removeReplica(c);
    } else if (command instanceof MapCommand.AssignSlots c) {
      return assignSlots(c);
    } else if (command instanceof MapCommand.DestroyGroup c) {
      return destroyGroup(c);
    } else if (command instanceof MapCommand.BeginMigration c) {
      return beginMigration(c);
    } else if (command instanceof MapCommand.CommitMigration c) {
      return commitMigration(c);
    } else if (command instanceof MapCommand.EndMigration c) {
      return endMigration(c);
    } else if (command instanceof MapCommand.AbortMigration c) {
      return abortMigration(c);
    } else if (command instanceof MapCommand.LeaveGroup c) {
      return leaveGroup(c);
    }
    throw new MapException("unknown command: " + command);
  }

  private ShardMap addStore(MapCommand.AddStore c) {
    StoreInfo s = c.store();
    checkStoreId(s.id());
    StoreInfo old = stores.get(s.id());
    if (old != null) {
      throw new MapException("duplicate store id: " + s.id()
          + (old.state() == StoreState.REMOVED ? " (used by a removed store; ids are never reused)" : ""));
    }
    if (s.state() == StoreState.REMOVED) {
      throw new MapException("cannot add store " + s.id() + " in state REMOVED");
    }
    for (StoreInfo o : stores.values()) {
      if (o.state() != StoreState.REMOVED
          && (o.raftAddress().equals(s.raftAddress()) || o.serviceAddress().equals(s.serviceAddress()))) {
        throw new MapException("store " + s.id() + " has an address of store " + o.id()
            + " (" + o.raftAddress() + ", " + o.serviceAddress() + ")");
      }
    }
    TreeMap<Long, StoreInfo> next = new TreeMap<>(stores);
    next.put(s.id(), s);
    return next(next, groups, slotOwner);
  }

  private ShardMap removeStore(MapCommand.RemoveStore c) {
    StoreInfo s = liveStore(c.storeId());
    for (GroupInfo g : groups.values()) {
      if (g.replicaOn(s.id()).isPresent()) {
        throw new MapException("store " + s.id() + " still hosts a replica of group " + g.id()
            + " (move its replicas first)");
      }
    }
    return withStore(s.withState(StoreState.REMOVED));
  }

  private ShardMap setStoreState(MapCommand.SetStoreState c) {
    StoreInfo s = liveStore(c.storeId());
    if (c.state() == StoreState.REMOVED) {
      throw new MapException("store state REMOVED is set by RemoveStore, not SetStoreState");
    }
    if (s.state() == c.state()) {
      throw new MapException("store " + s.id() + " is already " + c.state());
    }
    return withStore(s.withState(c.state()));
  }

  private ShardMap createGroup(MapCommand.CreateGroup c) {
    checkGroupId(c.groupId());
    if (groups.containsKey(c.groupId())) {
      throw new MapException("duplicate group id: " + c.groupId());
    }
    checkReplicas(c.groupId(), c.replicas(), stores);
    for (Replica r : c.replicas()) {
      if (stores.get(r.storeId()).state() != StoreState.UP) {
        throw new MapException("cannot place a replica of group " + c.groupId() + " on store "
            + r.storeId() + ": it is " + stores.get(r.storeId()).state() + " (expected: UP)");
      }
    }
    return withGroup(sorted(c.groupId(), c.replicas(), c.replicas().stream()
        .filter(r -> r.role() == ReplicaRole.VOTER).map(Replica::storeId).toList()));
  }

  private ShardMap setReplicaRole(MapCommand.SetReplicaRole c) {
    GroupInfo g = group(c.groupId());
    StoreInfo s = liveStore(c.storeId());
    Optional<Replica> old = g.replicaOn(s.id());
    if (old.isEmpty() && s.state() != StoreState.UP) {
      throw new MapException("cannot add a replica of group " + g.id() + " on store " + s.id()
          + ": it is " + s.state() + " (expected: UP)");
    }
    if (old.isPresent() && old.get().role() == c.role()) {
      throw new MapException("replica of group " + g.id() + " on store " + s.id() + " is already " + c.role());
    }
    List<Replica> next = new ArrayList<>();
    for (Replica r : g.replicas()) {
      if (r.storeId() != s.id()) {
        next.add(r);
      }
    }
    next.add(new Replica(s.id(), c.role()));
    GroupInfo ng = sorted(g.id(), next, g.founders());
    if (ng.voterCount() == 0) {
      throw new MapException("group " + g.id() + " would have no voter left (store " + s.id()
          + " is its last voter)");
    }
    return withGroup(ng);
  }

  private ShardMap removeReplica(MapCommand.RemoveReplica c) {
    GroupInfo g = group(c.groupId());
    Replica old = g.replicaOn(c.storeId()).orElseThrow(() -> new MapException(
        "group " + g.id() + " has no replica on store " + c.storeId()));
    if (old.role() == ReplicaRole.VOTER && g.voterCount() == 1) {
      throw new MapException("cannot remove the last voter of group " + g.id()
          + " (store " + c.storeId() + "); destroy the group instead");
    }
    List<Replica> next = new ArrayList<>(g.replicas());
    next.remove(old);
    return withGroup(new GroupInfo(g.id(), next, g.founders()));
  }

  private ShardMap assignSlots(MapCommand.AssignSlots c) {
    GroupInfo g = group(c.groupId());
    if (c.ranges().isEmpty()) {
      throw new MapException("no slots to assign to group " + g.id());
    }
    for (SlotRange r : c.ranges()) {
      for (Migration m : migrations.values()) {
        if (overlaps(r, m.range())) {
          throw new MapException("slots " + r + " overlap migration " + m.id() + " (" + m.range()
              + "); let it finish or abort it first");
        }
      }
    }
    int[] next = slotOwner.clone();
    for (SlotRange r : c.ranges()) {
      Arrays.fill(next, r.first(), r.last() + 1, (int) g.id());
    }
    return next(stores, groups, next);
  }

  private ShardMap destroyGroup(MapCommand.DestroyGroup c) {
    GroupInfo g = group(c.groupId());
    List<SlotRange> owned = slotRanges(g.id());
    if (!owned.isEmpty()) {
      throw new MapException("group " + g.id() + " still owns slots " + SlotRange.render(owned)
          + " (move them to another group first)");
    }
    for (Migration m : migrations.values()) {
      if (m.involves(g.id())) {
        throw new MapException("group " + g.id() + " is in migration " + m.id() + " (" + m.range() + " from group "
            + m.source() + " to group " + m.target() + "); let it finish or abort it first");
      }
    }
    TreeMap<Long, GroupInfo> next = new TreeMap<>(groups);
    next.remove(g.id());
    TreeSet<Long> l = new TreeSet<>(leaving);
    l.remove(g.id());
    return new ShardMap(version + 1, new TreeMap<>(stores), next, slotOwner, new TreeMap<>(migrations),
        nextMigrationId, l);
  }

  private ShardMap beginMigration(MapCommand.BeginMigration c) {
    if (c.migrations().isEmpty()) {
      throw new MapException("no migration to begin");
    }
    boolean[] moving = new boolean[SLOT_COUNT];
    for (Migration m : migrations.values()) {
      Arrays.fill(moving, m.range().first(), m.range().last() + 1, true);
    }
    TreeMap<Long, Migration> next = new TreeMap<>(migrations);
    long nextId = nextMigrationId;
    for (Migration m : c.migrations()) {
      if (m.phase() != Migration.Phase.MOVING) {
        throw new MapException("migration " + m.id() + " begins as " + m.phase() + " (expected: MOVING)");
      }
      if (m.id() < nextId) {
        throw new MapException("migration id " + m.id() + " is used or out of order (expected: >= " + nextId + ")");
      }
      checkMigration(m, groups, moving);
      if (leaving.contains(m.target())) {
        throw new MapException("migration " + m.id() + ": target group " + m.target() + " is leaving");
      }
      if (!ownsAll(slotOwner, m.range(), m.source())) {
        throw new MapException("migration " + m.id() + ": slots " + m.range() + " are not all owned by group "
            + m.source() + " (owned: " + slotRangesText(m.source()) + ")");
      }
      next.put(m.id(), m);
      nextId = m.id() + 1;
    }
    return next(slotOwner, next, nextId, leaving);
  }

  private ShardMap commitMigration(MapCommand.CommitMigration c) {
    Migration m = migration(c.migrationId());
    if (m.phase() != Migration.Phase.MOVING) {
      throw new MapException("migration " + m.id() + " is already " + m.phase());
    }
    int[] slots = slotOwner.clone();
    Arrays.fill(slots, m.range().first(), m.range().last() + 1, (int) m.target());
    TreeMap<Long, Migration> next = new TreeMap<>(migrations);
    next.put(m.id(), m.withPhase(Migration.Phase.COMMITTED));
    return next(slots, next, nextMigrationId, leaving);
  }

  private ShardMap endMigration(MapCommand.EndMigration c) {
    Migration m = migration(c.migrationId());
    if (m.phase() != Migration.Phase.COMMITTED) {
      throw new MapException("migration " + m.id() + " is " + m.phase() + " (expected: COMMITTED; abort it instead)");
    }
    TreeMap<Long, Migration> next = new TreeMap<>(migrations);
    next.remove(m.id());
    return next(slotOwner, next, nextMigrationId, leaving);
  }

  private ShardMap abortMigration(MapCommand.AbortMigration c) {
    Migration m = migration(c.migrationId());
    if (m.phase() != Migration.Phase.MOVING) {
      throw new MapException("migration " + m.id() + " is " + m.phase() + ": it only goes forward now");
    }
    TreeMap<Long, Migration> next = new TreeMap<>(migrations);
    next.remove(m.id());
    return next(slotOwner, next, nextMigrationId, leaving);
  }

  private ShardMap leaveGroup(MapCommand.LeaveGroup c) {
    GroupInfo g = group(c.groupId());
    if (leaving.contains(g.id())) {
      throw new MapException("group " + g.id() + " is already leaving");
    }
    boolean other = groups.keySet().stream().anyMatch(id -> id != g.id() && !leaving.contains(id));
    if (!other && slotCount(g.id()) > 0) {
      throw new MapException("group " + g.id() + " owns slots and no other group could take them");
    }
    TreeSet<Long> l = new TreeSet<>(leaving);
    l.add(g.id());
    return next(slotOwner, migrations, nextMigrationId, l);
  }

  private Migration migration(long id) {
    Migration m = migrations.get(id);
    if (m == null) {
      throw new MapException("unknown migration: " + id);
    }
    return m;
  }

  private static boolean overlaps(SlotRange a, SlotRange b) {
    return a.first() <= b.last() && b.first() <= a.last();
  }

  // ---------------------------------------------------------------- helpers

  private ShardMap withStore(StoreInfo s) {
    TreeMap<Long, StoreInfo> next = new TreeMap<>(stores);
    next.put(s.id(), s);
    return next(next, groups, slotOwner);
  }

  private ShardMap withGroup(GroupInfo g) {
    TreeMap<Long, GroupInfo> next = new TreeMap<>(groups);
    next.put(g.id(), g);
    return next(stores, next, slotOwner);
  }

  private StoreInfo liveStore(long id) {
    StoreInfo s = stores.get(id);
    if (s == null) {
      throw new MapException("unknown store: " + id);
    }
    if (s.state() == StoreState.REMOVED) {
      throw new MapException("store " + id + " is REMOVED");
    }
    return s;
  }

  private GroupInfo group(long id) {
    GroupInfo g = groups.get(id);
    if (g == null) {
      throw new MapException("unknown group: " + id);
    }
    return g;
  }

  private static void checkStoreId(long id) {
    if (id <= 0) {
      throw new MapException("invalid store id: " + id + " (expected: > 0)");
    }
  }

  private static void checkGroupId(long id) {
    if (id <= 0 || id > Integer.MAX_VALUE) {
      throw new MapException("invalid group id: " + id + " (expected: 1.." + Integer.MAX_VALUE + ")");
    }
  }

  private static void checkReplicas(long groupId, List<Replica> replicas, SortedMap<Long, StoreInfo> known) {
    if (replicas.isEmpty()) {
      throw new MapException("group " + groupId + " has no replica");
    }
    Set<Long> seen = new HashSet<>();
    boolean voter = false;
    for (Replica r : replicas) {
      StoreInfo s = known.get(r.storeId());
      if (s == null) {
        throw new MapException("group " + groupId + ": unknown store: " + r.storeId());
      }
      if (s.state() == StoreState.REMOVED) {
        throw new MapException("group " + groupId + ": store " + r.storeId() + " is REMOVED");
      }
      if (!seen.add(r.storeId())) {
        throw new MapException("group " + groupId + ": two replicas on store " + r.storeId());
      }
      voter |= r.role() == ReplicaRole.VOTER;
    }
    if (!voter) {
      throw new MapException("group " + groupId + " has no voter");
    }
  }

  private static GroupInfo sorted(long id, List<Replica> replicas, List<Long> founders) {
    List<Replica> s = new ArrayList<>(replicas);
    s.sort(Comparator.comparingLong(Replica::storeId));
    return new GroupInfo(id, s, founders);
  }

  // ---------------------------------------------------------------- reading

  public long version() {
    return version;
  }

  /** Stores in id order, REMOVED ones included. */
  public Collection<StoreInfo> stores() {
    return stores.values();
  }

  public Optional<StoreInfo> store(long id) {
    return Optional.ofNullable(stores.get(id));
  }

  /** Groups in id order. */
  public Collection<GroupInfo> groups() {
    return groups.values();
  }

  /** Ids of the groups, ascending (a read-only view). */
  public Set<Long> groupIds() {
    return Collections.unmodifiableSet(groups.keySet());
  }

  public Optional<GroupInfo> findGroup(long id) {
    return Optional.ofNullable(groups.get(id));
  }

  /** The group owning the slot, or {@link #UNASSIGNED}. */
  public long groupOf(int slot) {
    if (slot < 0 || slot >= SLOT_COUNT) {
      throw new MapException("slot out of range: " + slot + " (expected: 0.." + (SLOT_COUNT - 1) + ")");
    }
    return slotOwner[slot];
  }

  /** Number of slots the group owns. */
  public int slotCount(long groupId) {
    int n = 0;
    for (int o : slotOwner) {
      if (o == groupId) {
        n++;
      }
    }
    return n;
  }

  /** The slots the group owns as maximal contiguous ranges, ascending ({@link #UNASSIGNED}: free slots). */
  public List<SlotRange> slotRanges(long groupId) {
    List<SlotRange> out = new ArrayList<>();
    int start = -1;
    for (int slot = 0; slot <= SLOT_COUNT; slot++) {
      boolean owned = slot < SLOT_COUNT && slotOwner[slot] == groupId;
      if (owned && start < 0) {
        start = slot;
      } else if (!owned && start >= 0) {
        out.add(new SlotRange(start, slot - 1));
        start = -1;
      }
    }
    return out;
  }

  /** {@link #slotRanges} rendered for status tables: "0-5460", "5461-10922,16000", "-" for none. */
  public String slotRangesText(long groupId) {
    return SlotRange.render(slotRanges(groupId));
  }

  /** A copy of the slot table (slot → group id, 0 = unassigned). */
  public int[] slotTable() {
    return slotOwner.clone();
  }

  int[] slotTableShared() {
    return slotOwner;
  }

  /** Migrations in flight, by id. */
  public Collection<Migration> migrations() {
    return migrations.values();
  }

  public Optional<Migration> findMigration(long id) {
    return Optional.ofNullable(migrations.get(id));
  }

  /** The migration the slot is in, if any. */
  public Optional<Migration> migrationOf(int slot) {
    for (Migration m : migrations.values()) {
      if (slot >= m.range().first() && slot <= m.range().last()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The smallest id a new migration may get: ids are ascending and never reused. */
  public long nextMigrationId() {
    return nextMigrationId;
  }

  /** Groups marked leaving (LeaveGroup), ascending. */
  public SortedSet<Long> leavingGroups() {
    return leaving;
  }

  public boolean isLeaving(long groupId) {
    return leaving.contains(groupId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardMap m
        && version == m.version
        && stores.equals(m.stores)
        && groups.equals(m.groups)
        && Arrays.equals(slotOwner, m.slotOwner)
        && migrations.equals(m.migrations)
        && nextMigrationId == m.nextMigrationId
        && leaving.equals(m.leaving);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + stores.hashCode() * 17 + groups.hashCode() + Arrays.hashCode(slotOwner)
        + migrations.hashCode() * 7 + leaving.hashCode();
  }

  /**
   * The map as the status table of {@code cairn admin status / query}: one line per store and per
   * group, replicas as {@code store:role}, slots as ranges. Deterministic (id order).
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("version ").append(version).append('\n');
    sb.append(String.format("%-6s %-8s %-22s %s\n", "STORE", "STATE", "RAFT", "SERVICE"));
    for (StoreInfo s : stores.values()) {
      sb.append(String.format("%-6d %-8s %-22s %s\n", s.id(), s.state(), s.raftAddress(), s.serviceAddress()));
    }
    sb.append(String.format("%-6s %-6s %-36s %s\n", "GROUP", "SLOTS", "REPLICAS", "RANGES"));
    for (GroupInfo g : groups.values()) {
      StringBuilder reps = new StringBuilder();
      for (Replica r : g.replicas()) {
        if (reps.length() > 0) {
          reps.append(' ');
        }
        reps.append(r.storeId()).append(':').append(r.role().name().toLowerCase(java.util.Locale.ROOT));
      }
      sb.append(String.format("%-6d %-6d %-36s %s\n", g.id(), slotCount(g.id()), reps, slotRangesText(g.id())));
    }
    int free = slotCount(UNASSIGNED);
    if (free > 0) {
      sb.append("unassigned ").append(free).append(' ').append(slotRangesText(UNASSIGNED)).append('\n');
    }
    if (!leaving.isEmpty()) {
      sb.append("leaving groups ").append(leaving).append('\n');
    }
    for (Migration m : migrations.values()) {
      sb.append(String.format("migration %d: slots %s from group %d to group %d, %s\n", m.id(), m.range(),
          m.source(), m.target(), m.phase()));
    }
    return sb.toString();
  }
}
