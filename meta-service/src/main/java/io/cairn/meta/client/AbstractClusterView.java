package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping every {@link ClusterView} shares: the newest map (only ever moving forward),
 * leader hints, group sizes, listeners called in version order, and the waiters of
 * {@link #newerThan}.
 * Subclasses feed maps through {@link #offer} and may look for a newer map when asked
 * ({@link #refresh}).
 */
public abstract class AbstractClusterView implements ClusterView {
  private final Object delivery = new Object();
  private volatile ShardMap map;
  private final Map<Long, Long> leaders = new ConcurrentHashMap<>();
  private final Map<Long, GroupSize> sizes = new ConcurrentHashMap<>();
  private final List<Consumer<ShardMap>> listeners = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

  private record Waiter(long version, CompletableFuture<ShardMap> future) {}

  protected AbstractClusterView(ShardMap initial) {
    this.map = initial;
  }

  /**
   * Installs a newer map (an older or equal version is ignored) and tells listeners, in version
   * order (listeners run on the caller's thread, one map at a time: keep them short), then
   * waiters. Returns whether the map was newer.
   */
  protected boolean offer(ShardMap newer) {
    synchronized (delivery) {
      if (newer.version() <= map.version()) {
        return false;
      }
      map = newer;
      for (Consumer<ShardMap> l : listeners) {
        try {
          l.accept(newer);
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(getClass()).warn("map listener failed on version {}", newer.version(), e);
        }
      }
    }
    for (Waiter w : waiters) {
      if (newer.version() > w.version() && waiters.remove(w)) {
        w.future().complete(newer);
      }
    }
    return true;
  }

  /** Asked by {@link #newerThan} when no newer map is known yet: look for one now. */
  protected void refresh() {
  }

  @Override
  public ShardMap map() {
    return map;
  }

  @Override
  public long leaderHint(long groupId) {
    return leaders.getOrDefault(groupId, 0L);
  }

  @Override
  public void noteLeader(long groupId, long storeId) {
    if (storeId == 0) {
      leaders.remove(groupId);
    } else {
      leaders.put(groupId, storeId);
    }
  }

  /** Every known leader hint: group id → store id. */
  public Map<Long, Long> leaderHints() {
    return Map.copyOf(leaders);
  }

  /** Records a group's size (replacing the one known); {@link #forgetSize} drops it. */
  public void noteSize(GroupSize size) {
    sizes.put(size.groupId(), size);
  }

  public void forgetSize(long groupId) {
    sizes.remove(groupId);
  }

  @Override
  public Map<Long, GroupSize> groupSizes() {
    return Map.copyOf(sizes);
  }

  @Override
  public CompletableFuture<ShardMap> newerThan(long version) {
    ShardMap m = map;
    if (m.version() > version) {
      return CompletableFuture.completedFuture(m);
    }
    CompletableFuture<ShardMap> f = new CompletableFuture<>();
    Waiter w = new Waiter(version, f);
    waiters.add(w);
    f.whenComplete((v, err) -> waiters.remove(w)); // a caller's timeout must not leave it behind
    m = map;
    if (m.version() > version) {
      f.complete(m);
    } else {
      refresh();
    }
    return f;
  }

  @Override
  public void addListener(Consumer<ShardMap> listener) {
    listeners.add(listener);
  }
}
