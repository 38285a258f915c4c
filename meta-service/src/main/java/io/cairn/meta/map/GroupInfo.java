package io.cairn.meta.map;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Raft group of the data plane. Replicas are kept sorted by store id (so equal maps are equal
 * values and encode to equal bytes); at most one replica per store.
 *
 * <p>{@code founders} are the stores of the group's founding voters, sorted, fixed when the group
 * is created and never changed: every replica of the group, founding or added later, starts its
 * Raft log from this membership (the log's entries replay the membership changes made since). A
 * store may stay a founder after its replica went, or even after the store was removed.
 */
public record GroupInfo(long id, List<Replica> replicas, List<Long> founders) {
  public GroupInfo {
    replicas = List.copyOf(replicas);
    founders = List.copyOf(new TreeSet<>(founders));
  }

  /** A group whose founders are its current voters (a new group, or one decoded from format 1). */
  public GroupInfo(long id, List<Replica> replicas) {
    this(id, replicas, replicas.stream().filter(r -> r.role() == ReplicaRole.VOTER).map(Replica::storeId).toList());
  }

  public Optional<Replica> replicaOn(long storeId) {
    for (Replica r : replicas) {
      if (r.storeId() == storeId) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public long voterCount() {
    return replicas.stream().filter(r -> r.role() == ReplicaRole.VOTER).count();
  }

  /** Whether {@code storeId} was one of the group's founding voters. */
  public boolean isFounder(long storeId) {
    return founders.contains(storeId);
  }
}
