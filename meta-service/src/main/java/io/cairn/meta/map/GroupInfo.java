package io.cairn.meta.map;

import java.util.List;
import java.util.Optional;

/**
 * A Raft group of the data plane. Replicas are kept sorted by store id (so equal maps are equal
 * values and encode to equal bytes); at most one replica per store.
 */
public record GroupInfo(long id, List<Replica> replicas) {
  public GroupInfo {
    replicas = List.copyOf(replicas);
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
}
