package io.cairn.store.node;

import io.cairn.meta.client.ClusterView;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import java.util.Arrays;
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
        return new SlotOwnership() {
            /** The view of the last map asked about: one per map, not one per command. */
            private volatile OfMap last;

            @Override
            public Snapshot now() {
                ShardMap m = view.map();
                OfMap s = last;
                if (s == null || s.map != m) {
                    s = new OfMap(m, nodeId);
                    last = s;
                }
                return s;
            }
        };
    }

    /** One shard map seen from node {@code nodeId}; the groups it hosts are looked up once. */
    final class OfMap implements Snapshot {
        private final ShardMap map;
        /** Ids of the groups with a replica on the node, ascending. */
        private final long[] hosted;

        OfMap(ShardMap map, long nodeId) {
            this.map = map;
            this.hosted = map.groups().stream()
                    .filter(g -> g.replicaOn(nodeId).isPresent())
                    .mapToLong(GroupInfo::id).sorted().toArray();
        }

        @Override
        public long mapVersion() {
            return map.version();
        }

        @Override
        public boolean hosts(long groupId) {
            return Arrays.binarySearch(hosted, groupId) >= 0;
        }

        @Override
        public boolean owns(long groupId, int slot) {
            return map.groupOf(slot) == groupId;
        }

        @Override
        public List<String> slotRanges(long groupId) {
            return map.slotRanges(groupId).stream().map(SlotRange::toString).toList();
        }

        @Override
        public String serviceAddress(long id) {
            return map.store(id).map(StoreInfo::serviceAddress).orElse(null);
        }
    }
}
