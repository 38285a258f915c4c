package io.cairn.meta.map;

import java.util.Objects;

/**
 * A store node as the map knows it.
 *
 * @param id positive, unique for the life of the cluster
 * @param raftAddress host:port of its Raft transport
 * @param serviceAddress host:port of its StoreService
 */
public record StoreInfo(long id, String raftAddress, String serviceAddress, StoreState state) {
  public StoreInfo {
    Objects.requireNonNull(raftAddress, "raftAddress");
    Objects.requireNonNull(serviceAddress, "serviceAddress");
    Objects.requireNonNull(state, "state");
  }

  public StoreInfo withState(StoreState newState) {
    return new StoreInfo(id, raftAddress, serviceAddress, newState);
  }
}
