package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.meta.proto.GroupReport;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.HeartbeatRequest;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Group sizes the meta leader derives from heartbeats (docs/meta-service.md, "Group sizes"). */
class StoreReportsTest {
  private final StoreReports reports = new StoreReports();
  private static final Set<Long> GROUPS = Set.of(1L, 2L);

  private static GroupReport.Builder group(long id, String role, long term) {
    return GroupReport.newBuilder().setGroupId(id).setRole(role).setTerm(term);
  }

  private static GroupReport.Builder sized(long id, long term, long index, long keys) {
    return group(id, "LEADER", term).setSized(true).setSizedIndex(index).setKeyCount(keys)
        .setExpiresCount(keys / 10).setSizeBytes(keys * 100);
  }

  private StoreReports.Changes beat(long store, GroupReport.Builder... groups) {
    HeartbeatRequest.Builder b = HeartbeatRequest.newBuilder().setStoreId(store);
    for (GroupReport.Builder g : groups) {
      b.addGroups(g);
    }
    return reports.record(b.build(), 0, GROUPS);
  }

  @Test
  void theLeadersMeasurementIsKeptAndChangesAreReportedOnce() {
    StoreReports.Changes first = beat(1, sized(1, 3, 10, 100), group(2, "FOLLOWER", 3));
    assertThat(first.sizes()).extracting(GroupSize::getGroupId, GroupSize::getKeyCount, GroupSize::getStoreId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 100L, 1L));
    assertThat(first.hints()).hasSize(1);
    // the same figures again: nothing changed
    assertThat(beat(1, sized(1, 3, 12, 100)).isEmpty()).isTrue();
    // new figures are a change
    assertThat(beat(1, sized(1, 3, 15, 130)).sizes()).extracting(GroupSize::getKeyCount).containsExactly(130L);
    assertThat(reports.sizes()).extracting(GroupSize::getKeyCount).containsExactly(130L);
  }

  @Test
  void anOlderMeasurementNeverReplacesANewerOne() {
    beat(2, sized(1, 4, 50, 500));
    // a deposed leader (lower term) still reporting its last count
    assertThat(beat(1, sized(1, 3, 80, 999)).sizes()).isEmpty();
    // the same term, an earlier index
    assertThat(beat(3, sized(1, 4, 49, 7)).sizes()).isEmpty();
    assertThat(reports.sizes()).extracting(GroupSize::getKeyCount).containsExactly(500L);
    // a new leader's measurement (higher term) wins
    assertThat(beat(3, sized(1, 5, 51, 510)).sizes()).extracting(GroupSize::getStoreId).containsExactly(3L);
  }

  @Test
  void theSizeStaysWhileNobodyMeasuresAndGoesWithTheGroup() {
    beat(1, sized(1, 3, 10, 100), sized(2, 3, 10, 200));
    // store 1 lost the leadership, the new leader has not measured yet: the last size stays
    beat(1, group(1, "FOLLOWER", 4), group(2, "FOLLOWER", 4));
    assertThat(reports.sizes()).extracting(GroupSize::getGroupId).containsExactly(1L, 2L);
    // group 2 left the map: dropped, announced as store 0
    StoreReports.Changes c = reports.record(HeartbeatRequest.newBuilder().setStoreId(1).build(), 0, Set.of(1L));
    assertThat(c.sizes()).singleElement().satisfies(z -> {
      assertThat(z.getGroupId()).isEqualTo(2);
      assertThat(z.getStoreId()).isZero();
    });
    assertThat(reports.sizes()).extracting(GroupSize::getGroupId).containsExactly(1L);
    reports.clear();
    assertThat(reports.sizes()).isEmpty();
  }

  @Test
  void unmeasuredReportsAndGroupsOutsideTheMapAreIgnored() {
    assertThat(beat(1, group(1, "LEADER", 3), sized(9, 3, 1, 5)).sizes()).isEmpty();
    assertThat(reports.sizes()).isEmpty();
  }

  @Test
  void aCompletedTransferHoldsTheHintUntilTheReportsCatchUp() {
    beat(1, group(1, "LEADER", 3));
    beat(2, group(1, "FOLLOWER", 3));
    assertThat(reports.leaderByGroup()).containsEntry(1L, 1L);
    // store 2 answered that it leads at term 4
    assertThat(reports.leaderMoved(1, 2, 4).hints()).extracting(h -> h.getStoreId()).containsExactly(2L);
    // store 1's next report still claims term 3 (sent before it stepped down): the hint stays
    assertThat(beat(1, group(1, "LEADER", 3)).hints()).isEmpty();
    assertThat(reports.leaderByGroup()).containsEntry(1L, 2L);
    // store 2's own report at term 4 takes over; a later election still moves the hint on
    assertThat(beat(2, group(1, "LEADER", 4)).hints()).isEmpty();
    assertThat(beat(3, group(1, "LEADER", 5)).hints()).extracting(h -> h.getStoreId()).containsExactly(3L);
    // an outdated transfer answer (older term than the hint) changes nothing
    assertThat(reports.leaderMoved(1, 1, 4).hints()).isEmpty();
    assertThat(reports.leaderByGroup()).containsEntry(1L, 3L);
  }

  @Test
  void followingListsTheStoresThatReportTheHintedLeadersTerm() {
    beat(1, group(1, "LEADER", 3));
    beat(2, group(1, "FOLLOWER", 3).setLeaderId(1));
    beat(3, group(1, "FOLLOWER", 2).setLeaderId(2)); // its last report is of an older term
    assertThat(reports.following()).isEqualTo(java.util.Map.of(1L, Set.of(2L)));
  }
}
