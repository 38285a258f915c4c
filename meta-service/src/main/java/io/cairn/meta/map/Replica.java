package io.cairn.meta.map;

import java.util.Objects;

/** One replica of a group: the store hosting it and its role. */
public record Replica(long storeId, ReplicaRole role) {
  public Replica {
    Objects.requireNonNull(role, "role");
  }

  public static Replica voter(long storeId) {
    return new Replica(storeId, ReplicaRole.VOTER);
  }
}
