package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link ClusterView} whose map changes only when {@link #update} is called: for tests and for
 * set-ups without a meta service.
 */
public final class StaticClusterView implements ClusterView {
    private volatile ShardMap map;
    private final Map<Long, Long> leaders = new ConcurrentHashMap<>();
    private final List<Consumer<ShardMap>> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    private record Waiter(long version, CompletableFuture<ShardMap> future) {}

    public StaticClusterView(ShardMap map) {
        this.map = map;
    }

    /** Installs a newer map (an older or equal version is ignored) and tells listeners and waiters. */
    public void update(ShardMap newer) {
        synchronized (this) {
            if (newer.version() <= map.version()) {
                return;
            }
            map = newer;
        }
        for (Consumer<ShardMap> l : listeners) {
            l.accept(newer);
        }
        for (Waiter w : waiters) {
            if (newer.version() > w.version()) {
                waiters.remove(w);
                w.future().complete(newer);
            }
        }
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

    @Override
    public CompletableFuture<ShardMap> newerThan(long version) {
        ShardMap m = map;
        if (m.version() > version) {
            return CompletableFuture.completedFuture(m);
        }
        CompletableFuture<ShardMap> f = new CompletableFuture<>();
        waiters.add(new Waiter(version, f));
        m = map;
        if (m.version() > version) {
            f.complete(m);
        }
        return f;
    }

    @Override
    public void addListener(Consumer<ShardMap> listener) {
        listeners.add(listener);
    }
}
