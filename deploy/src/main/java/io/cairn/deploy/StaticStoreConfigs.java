package io.cairn.deploy;

import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.StoreInfo;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The static store-node settings (docs/store-node.md) that make a set of store nodes host exactly
 * the groups and slots of a {@link ShardMap}: {@code peers} from the map's stores,
 * {@code group.N.members} from each group's voters, {@code group.N.slots} from the slot table, and
 * {@code map.version} from the map. Used by {@code cairn dev} (until the meta service places groups
 * itself) and by the end-to-end tests that run static store processes.
 *
 * <p>The map's store addresses are {@code host:port}; the node binds to its own entry's host.
 */
public final class StaticStoreConfigs {
    private StaticStoreConfigs() {
    }

    /** The settings of store {@code storeId} of the map, keeping its data under {@code dataDir}. */
    public static Properties forStore(ShardMap map, long storeId, Path dataDir) {
        StoreInfo self = map.store(storeId)
                .orElseThrow(() -> new IllegalArgumentException("store " + storeId + " is not in the map"));
        Properties p = new Properties();
        p.setProperty("node.id", Long.toString(storeId));
        p.setProperty("data.dir", dataDir.toString());
        p.setProperty("host", host(self.raftAddress()));
        p.setProperty("raft.port", Integer.toString(port(self.raftAddress())));
        p.setProperty("service.port", Integer.toString(port(self.serviceAddress())));
        p.setProperty("peers", map.stores().stream()
                .map(s -> s.id() + "=" + s.raftAddress() + ":" + port(s.serviceAddress()))
                .collect(Collectors.joining(",")));
        p.setProperty("map.version", Long.toString(Math.max(1, map.version())));
        for (GroupInfo g : map.groups()) {
            p.setProperty("group." + g.id() + ".members", g.replicas().stream()
                    .filter(r -> r.role() == ReplicaRole.VOTER)
                    .map(r -> Long.toString(r.storeId()))
                    .collect(Collectors.joining(",")));
            String slots = map.slotRanges(g.id()).stream()
                    .map(r -> r.first() + "-" + r.last())
                    .collect(Collectors.joining(","));
            if (!slots.isEmpty()) {
                p.setProperty("group." + g.id() + ".slots", slots);
            }
        }
        return p;
    }

    static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + hostPort + "' (expected: host:port)");
        }
        return hostPort.substring(0, colon);
    }

    static int port(String hostPort) {
        try {
            return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + hostPort + "' (expected: host:port)");
        }
    }
}
