package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;

/**
 * A {@link ClusterView} whose map changes only when {@link #update} is called: for tests and for
 * set-ups without a meta service.
 */
public final class StaticClusterView extends AbstractClusterView {

  public StaticClusterView(ShardMap map) {
    super(map);
  }

  /** Installs a newer map (an older or equal version is ignored) and tells listeners and waiters. */
  public void update(ShardMap newer) {
    offer(newer);
  }
}
