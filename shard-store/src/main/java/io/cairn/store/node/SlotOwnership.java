package io.cairn.store.node;

import io.cairn.meta.client.ClusterView;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import java.util.List;

/**
 * Which groups this node serves and which slots each owns, as the StoreService checks them
 * before running a command (a miss is answered WRONG_GROUP with {@link Snapshot#mapVersion()}).
 * Two sources: the static groups of the config ({@link #ofConfig}) or the shard map followed
 * from the meta service ({@link #ofMap}).
 */
interface SlotOwnership {

    /** The ownership at one moment: one command is checked against one consistent view. */
    Snapshot now();

    interface Snapshot {
        /** Version of the map the answers come from (static: {@code map.version}). */
        long mapVersion();

        /** Whether this node hosts a replica of the group. */
        boolean hosts(long groupId);

        /** Whether the group owns the slot. */
        boolean owns(long groupId, int slot);

        /** The group's slots as ranges ("0-5461"), for Status. */
        List<String> slotRanges(long groupId);

        /** The StoreService address of a node ({@code host:port}), or null when unknown. */
        String serviceAddress(long nodeId);
    }

    /** The static groups and peers of the config ({@code group.<id>.*}, {@code peers}). */
    static SlotOwnership ofConfig(StoreConfig config) {
        Snapshot s = new Snapshot() {
            @Override
            public long mapVersion() {
                return config.mapVersion();
            }

            @Override
            public boolean hosts(long groupId) {
                StoreConfig.Group g = config.groups().get(groupId);
                return g != null && g.members().contains(config.nodeId());
            }

            @Override
            public boolean owns(long groupId, int slot) {
                StoreConfig.Group g = config.groups().get(groupId);
                return g != null && g.owns(slot);
            }

            @Override
            public List<String> slotRanges(long groupId) {
                StoreConfig.Group g = config.groups().get(groupId);
                return g == null ? List.of() : g.slotRanges();
            }

            @Override
            public String serviceAddress(long nodeId) {
                StoreConfig.Peer p = config.peers().get(nodeId);
                return p == null ? null : p.serviceAddress();
            }
        };
        return () -> s;
    }

    /** The newest shard map of the view; before the first map arrives nothing is owned. */
    static SlotOwnership ofMap(ClusterView view, long nodeId) {
        return () -> {
            ShardMap m = view.map();
            return new Snapshot() {
                @Override
                public long mapVersion() {
                    return m.version();
                }

                @Override
                public boolean hosts(long groupId) {
                    return m.findGroup(groupId).flatMap(g -> g.replicaOn(nodeId)).isPresent();
                }

                @Override
                public boolean owns(long groupId, int slot) {
                    return m.groupOf(slot) == groupId;
                }

                @Override
                public List<String> slotRanges(long groupId) {
                    return m.slotRanges(groupId).stream().map(SlotRange::toString).toList();
                }

                @Override
                public String serviceAddress(long id) {
                    return m.store(id).map(StoreInfo::serviceAddress).orElse(null);
                }
            };
        };
    }
}
