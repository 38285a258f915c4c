package io.cairn.store.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.meta.client.ClusterView;
import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.SlotRange;
import io.cairn.meta.map.StoreInfo;
import io.cairn.meta.map.StoreState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SlotOwnershipTest {

    /** A view whose map the test sets. */
    private static final class FixedView implements ClusterView {
        volatile ShardMap map;

        @Override
        public ShardMap map() {
            return map;
        }

        @Override
        public long leaderHint(long groupId) {
            return 0;
        }

        @Override
        public void noteLeader(long groupId, long storeId) {
        }

        @Override
        public CompletableFuture<ShardMap> newerThan(long version) {
            return new CompletableFuture<>();
        }

        @Override
        public void addListener(Consumer<ShardMap> listener) {
        }
    }

    private static ShardMap withStores(int n) {
        ShardMap m = ShardMap.empty();
        for (int i = 1; i <= n; i++) {
            m = m.apply(new MapCommand.AddStore(new StoreInfo(i, "h:" + i, "h:" + (100 + i), StoreState.UP)));
        }
        return m;
    }

    @Test
    void aMapSnapshotAnswersForTheMapOfTheMomentAndTheNodeItWasMadeFor() {
        // groups 1 (stores 1, 2), 2 (stores 2, 3), 3 (store 3, a learner on store 1); slots split 1 / 2
        ShardMap v1 = withStores(3)
                .apply(new MapCommand.CreateGroup(1, List.of(Replica.voter(1), Replica.voter(2))))
                .apply(new MapCommand.CreateGroup(2, List.of(Replica.voter(2), Replica.voter(3))))
                .apply(new MapCommand.CreateGroup(3, List.of(Replica.voter(3), new Replica(1, ReplicaRole.LEARNER))))
                .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 8191)), 1))
                .apply(new MapCommand.AssignSlots(List.of(new SlotRange(8192, 16383)), 2));
        FixedView view = new FixedView();
        view.map = v1;
        SlotOwnership ofStore1 = SlotOwnership.ofMap(view, 1);
        SlotOwnership ofStore3 = SlotOwnership.ofMap(view, 3);

        SlotOwnership.Snapshot s = ofStore1.now();
        assertThat(s.mapVersion()).isEqualTo(v1.version());
        assertThat(s.hosts(1)).isTrue();
        assertThat(s.hosts(2)).isFalse();
        assertThat(s.hosts(3)).as("a learner replica is hosted too").isTrue();
        assertThat(s.hosts(4)).isFalse();
        assertThat(s.owns(1, 0)).isTrue();
        assertThat(s.owns(1, 8192)).isFalse();
        assertThat(s.owns(2, 16383)).isTrue();
        assertThat(s.slotRanges(1)).containsExactly("0-8191");
        assertThat(s.serviceAddress(2)).isEqualTo("h:102");
        assertThat(s.serviceAddress(9)).isNull();
        assertThat(ofStore1.now()).as("one snapshot per map").isSameAs(s);

        SlotOwnership.Snapshot t = ofStore3.now();
        assertThat(t.hosts(1)).isFalse();
        assertThat(t.hosts(2)).isTrue();
        assertThat(t.hosts(3)).isTrue();

        // a new map: the next snapshot answers for it, the one taken before keeps its answers
        ShardMap v2 = v1.apply(new MapCommand.CreateGroup(4, List.of(Replica.voter(1))))
                .apply(new MapCommand.AssignSlots(List.of(new SlotRange(0, 99)), 4));
        view.map = v2;
        SlotOwnership.Snapshot u = ofStore1.now();
        assertThat(u.mapVersion()).isEqualTo(v2.version()).isGreaterThan(v1.version());
        assertThat(u.hosts(4)).isTrue();
        assertThat(u.owns(4, 50)).isTrue();
        assertThat(u.owns(1, 50)).isFalse();
        assertThat(s.hosts(4)).isFalse();
        assertThat(s.owns(1, 50)).isTrue();
    }
}
