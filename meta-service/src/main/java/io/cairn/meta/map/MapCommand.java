package io.cairn.meta.map;

import java.util.List;
import java.util.Objects;

/**
 * One change to the shard map, as proposed to the meta Raft group and kept in the history.
 * Commands carry every value explicitly (no clock, no random): applying the same commands in the
 * same order yields equal maps everywhere. Validation happens in {@link ShardMap#apply}.
 * Type codes (ShardMapCodec) are frozen; see docs/meta-service.md.
 */
public sealed interface MapCommand {

  /** Registers a new store. Its id must never have been used, even by a removed store. */
  record AddStore(StoreInfo store) implements MapCommand {
    public AddStore {
      Objects.requireNonNull(store, "store");
    }
  }

  /** Marks a store REMOVED for good. Refused while it still hosts a replica. */
  record RemoveStore(long storeId) implements MapCommand {}

  /** Marks a live store UP or DOWN (heartbeats). REMOVED goes through {@link RemoveStore}. */
  record SetStoreState(long storeId, StoreState state) implements MapCommand {
    public SetStoreState {
      Objects.requireNonNull(state, "state");
    }
  }

  /** Creates a group on UP stores; at least one VOTER, one replica per store. Owns no slot yet. */
  record CreateGroup(long groupId, List<Replica> replicas) implements MapCommand {
    public CreateGroup {
      replicas = List.copyOf(replicas);
    }
  }

  /**
   * Adds a replica of the group on the store with that role, or changes the role of the existing
   * one (learner → voter after catch-up). Refused if it would leave the group without a voter.
   */
  record SetReplicaRole(long groupId, long storeId, ReplicaRole role) implements MapCommand {
    public SetReplicaRole {
      Objects.requireNonNull(role, "role");
    }
  }

  /** Removes the group's replica on the store. Refused for the group's last voter. */
  record RemoveReplica(long groupId, long storeId) implements MapCommand {}

  /** Makes the group the owner of every slot in the ranges (whoever owned them before). */
  record AssignSlots(List<SlotRange> ranges, long groupId) implements MapCommand {
    public AssignSlots {
      ranges = List.copyOf(ranges);
    }
  }

  /** Destroys a group. Refused while it still owns a slot (move them away first). */
  record DestroyGroup(long groupId) implements MapCommand {}

  /**
   * Begins slot migrations (one map version for a whole {@code move}): each range moves from its
   * source to its target group. Ids ascending, at least {@link ShardMap#nextMigrationId()}; every
   * slot owned by the migration's source and in no other migration; both groups exist, differ,
   * and the target is not leaving.
   */
  record BeginMigration(List<Migration> migrations) implements MapCommand {
    public BeginMigration {
      migrations = List.copyOf(migrations);
    }
  }

  /** The migration's range now belongs to its target; phase MOVING → COMMITTED. */
  record CommitMigration(long migrationId) implements MapCommand {}

  /** A COMMITTED migration is finished: its record goes. */
  record EndMigration(long migrationId) implements MapCommand {}

  /** A MOVING migration is rolled back: its record goes, the source keeps the range. */
  record AbortMigration(long migrationId) implements MapCommand {}

  /**
   * Marks a group as leaving: the meta leader moves its slots to the other groups and destroys it
   * once it owns none (restartable from the map alone). A leaving group takes no new slots.
   */
  record LeaveGroup(long groupId) implements MapCommand {}
}
