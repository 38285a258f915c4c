package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a gateway or a store knows of the cluster: the newest shard map it has seen and which
 * store leads each group, as far as it knows. Implementations: {@link StaticClusterView} (a fixed
 * map, for tests and static set-ups) and {@link MetaClusterView} (follows the meta service).
 *
 * <p>Thread-safe. Maps only move forward: {@link #map()} never returns a lower version than it
 * returned before.
 */
public interface ClusterView extends AutoCloseable {

    /** The newest map known; version 0 is the empty map (nothing bootstrapped yet). */
    ShardMap map();

    /** The store believed to lead the group, 0 when unknown. */
    long leaderHint(long groupId);

    /**
     * Records what a store answered (e.g. a NOT_LEADER hint), so later routing goes there
     * directly. {@code storeId} 0 forgets the hint.
     */
    void noteLeader(long groupId, long storeId);

    /**
     * Completes with a map whose version is above {@code version}: at once if one is known,
     * else when it arrives. Also asks the source to look for a newer map now (a WRONG_GROUP
     * answer means the caller's map is behind). The future may never complete if no newer map
     * ever appears; callers put a timeout on it.
     */
    CompletableFuture<ShardMap> newerThan(long version);

    /**
     * The newest known size of each group, by group id (meta mode: measured by the group leaders,
     * reported in heartbeats, pushed by the meta leader; eventually consistent). Empty when
     * unknown. May hold groups no longer in {@link #map()}: callers filter by the map.
     */
    default java.util.Map<Long, GroupSize> groupSizes() {
        return java.util.Map.of();
    }

    /** Called with every new map, in version order, after {@link #map()} returns it. */
    void addListener(Consumer<ShardMap> listener);

    @Override
    default void close() {
    }
}
