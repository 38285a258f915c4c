package io.cairn.deploy.e2e;

import java.util.List;

/**
 * A running Cairn cluster as the end-to-end tests see it: a gateway to connect Redis clients
 * to, the groups of the shard map, and a way to lose a group's leader. The tests are written
 * against this interface only, so the same tests run against a cluster of child processes
 * ({@link ProcessCluster}, the default) and the in-process one ({@link InProcessCluster}).
 *
 * <p>Get one with {@link E2eClusters#start}; each test class shares one.
 */
interface E2eCluster extends AutoCloseable {

    /** Host the gateway listens on. */
    String host();

    /** Port of the gateway (RESP). */
    int gatewayPort();

    /** The ids of the data groups in the shard map, ascending. */
    List<Long> groups();

    /** The group owning the key's slot (CRC16 of the key or its hash tag). */
    long groupOf(String key);

    /** The store leading the group as the live stores see it; 0 when none knows one. */
    long leaderOf(long group);

    /**
     * Waits until the group has a leader, then kills that store (in-process: closes it; a
     * process cluster: kill -9). Returns the killed store's id. The store stays down.
     */
    long killLeaderOf(long group) throws Exception;

    /** Stops everything; data directories are left to the caller. */
    @Override
    void close();
}
