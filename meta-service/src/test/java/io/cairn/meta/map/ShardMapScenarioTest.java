package io.cairn.meta.map;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden scenario: the issue 6 operations as map commands, with the status table after each step,
 * compared with src/test/resources/io/cairn/meta/map/scenario-join-move-leave.txt. A reviewer reads
 * behaviour diffs there. Rewrite after an intended change with {@code -Dcairn.rewrite=true}.
 */
class ShardMapScenarioTest {
  private static final Path GOLDEN =
      Path.of("src/test/resources/io/cairn/meta/map/scenario-join-move-leave.txt");

  @Test
  void joinMoveReplicaMoveSlotsLeave() throws IOException {
    List<MapCommand> steps = new ArrayList<>(ShardMap.bootstrapCommands(MapFixtures.stores(3), 3, 3));
    steps.add(new MapCommand.AddStore(MapFixtures.store(4)));
    // move group 1's replica from store 1 to store 4: add learner, promote, remove old
    steps.add(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.LEARNER));
    steps.add(new MapCommand.SetReplicaRole(1, 4, ReplicaRole.VOTER));
    steps.add(new MapCommand.RemoveReplica(1, 1));
    steps.add(new MapCommand.SetReplicaRole(2, 4, ReplicaRole.OBSERVER));
    // join group 4, give it slots from every group
    steps.add(new MapCommand.CreateGroup(4, List.of(Replica.voter(1), Replica.voter(2), Replica.voter(4))));
    steps.add(new MapCommand.AssignSlots(SlotRange.parse("0-1364,5462-6826,10923-12287,16000"), 4));
    // leave group 3: drain its slots, then destroy it
    steps.add(new MapCommand.AssignSlots(SlotRange.parse("12288-15999,16001-16383"), 2));
    steps.add(new MapCommand.DestroyGroup(3));
    steps.add(new MapCommand.SetStoreState(3, StoreState.DOWN));
    steps.add(new MapCommand.DestroyGroup(2)); // refused: owns slots
    // online migration of 16 slots from group 4 to group 1, then group 4 leaves through migrations
    steps.add(new MapCommand.BeginMigration(List.of(Migration.moving(1, new SlotRange(0, 15), 4, 1))));
    steps.add(new MapCommand.AssignSlots(SlotRange.parse("10-20"), 2)); // refused: in the migration
    steps.add(new MapCommand.CommitMigration(1));
    steps.add(new MapCommand.AbortMigration(1)); // refused: committed
    steps.add(new MapCommand.EndMigration(1));
    steps.add(new MapCommand.LeaveGroup(4));
    steps.add(new MapCommand.BeginMigration(List.of(Migration.moving(2, new SlotRange(16, 1364), 4, 1),
        Migration.moving(3, new SlotRange(5462, 6826), 4, 2), Migration.moving(4, new SlotRange(10923, 12287), 4, 1),
        Migration.moving(5, SlotRange.of(16000), 4, 2))));
    steps.add(new MapCommand.DestroyGroup(4)); // refused: in migrations
    for (long id = 2; id <= 5; id++) {
      steps.add(new MapCommand.CommitMigration(id));
      steps.add(new MapCommand.EndMigration(id));
    }
    steps.add(new MapCommand.DestroyGroup(4));

    MapHistory history = new MapHistory(64);
    StringBuilder out = new StringBuilder();
    int bootstrap = 3 + 3 + 3;
    for (int i = 0; i < steps.size(); i++) {
      MapCommand c = steps.get(i);
      try {
        history.apply(c);
        if (i >= bootstrap - 1) {
          out.append("> ").append(c).append('\n').append(history.current()).append('\n');
        }
      } catch (MapException e) {
        out.append("> ").append(c).append('\n').append("refused: ").append(e.getMessage()).append("\n\n");
      }
    }
    String actual = out.toString();
    if (Boolean.getBoolean("cairn.rewrite")) {
      Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }
}
