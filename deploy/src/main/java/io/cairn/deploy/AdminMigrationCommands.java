package io.cairn.deploy;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ReplicaRole;
import io.cairn.meta.proto.SlotMoveResponse;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn admin move | rebalance | join | leave | migrations | abort-migration} (online slot
 * migration, docs/slot-migration.md) and {@code add-observer | remove-observer}. Without
 * {@code --wait} a command answers once the migrations are begun (the meta leader runs them one
 * at a time by default: {@code cairn admin migrations} follows them); with it, once they ended.
 */
final class AdminMigrationCommands {
    private AdminMigrationCommands() {
    }

    /** The answer printed: a refusal becomes an IllegalArgumentException (its message, exit code 1). */
    static String describe(SlotMoveResponse r, String done) {
        if (!r.getError().isEmpty()) {
            throw new IllegalArgumentException(r.getError());
        }
        if (r.getMigrationsCount() == 0) {
            return done + ": nothing to move (map version " + r.getMapVersion() + ")\n";
        }
        return done + " (map version " + r.getMapVersion() + ")\n" + MapTables.migrationInfos(r.getMigrationsList());
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            header = "Move slots to a group online: SLOTS like 0-4095,8000 (split by owner and into batches).")
    static final class Move extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "SLOTS", description = "Slot ranges, e.g. 0-4095,8000.")
        String slots;
        @Parameters(index = "1", paramLabel = "GROUP", description = "The group that gets them.")
        long group;
        @Option(names = "--wait", description = "Answer once every migration ended.")
        boolean waitDone;

        @Override
        void check() {
            positive("GROUP", group);
        }

        @Override
        String ask(MetaClient client) {
            return describe(client.moveSlots(slots, group, waitDone),
                    (waitDone ? "moved slots " : "moving slots ") + slots + " to group " + group);
        }
    }

    @Command(name = "rebalance", mixinStandardHelpOptions = true,
            header = "Even out the slot counts of the groups (fewest slots moved).")
    static final class Rebalance extends AdminCommand.MetaCall {
        @Option(names = "--wait", description = "Answer once every migration ended.")
        boolean waitDone;

        @Override
        String ask(MetaClient client) {
            return describe(client.rebalance(waitDone), waitDone ? "rebalanced" : "rebalancing");
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            header = "Create a group on the stores with fewest replicas, then rebalance slots onto it.")
    static final class Join extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "GROUP", description = "The new group's id.")
        long group;
        @Option(names = "--replicas", paramLabel = "N", defaultValue = "0",
                description = "Voters of the group (default: the meta service's replication.factor).")
        int replicas;
        @Option(names = "--wait", description = "Answer once the rebalance ended.")
        boolean waitDone;

        @Override
        void check() {
            positive("GROUP", group);
            if (replicas < 0) {
                throw new ParameterException(spec.commandLine(), "--replicas: " + replicas + " (expected: > 0)");
            }
        }

        @Override
        String ask(MetaClient client) {
            return describe(client.joinGroup(group, replicas, waitDone),
                    "group " + group + (waitDone ? " joined" : " joining"));
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            header = "Drain a group (its slots move to the others evenly), then destroy it.")
    static final class Leave extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "GROUP", description = "The group to drain and destroy.")
        long group;
        @Option(names = "--wait", description = "Answer once the group is destroyed.")
        boolean waitDone;

        @Override
        void check() {
            positive("GROUP", group);
        }

        @Override
        String ask(MetaClient client) {
            return describe(client.leaveGroup(group, waitDone), waitDone ? "group " + group + " left and was destroyed"
                    : "group " + group + " is leaving");
        }
    }

    @Command(name = "migrations", mixinStandardHelpOptions = true,
            header = "List the slot migrations in flight and the pauses the meta leader measured.")
    static final class Migrations extends AdminCommand.MetaCall {
        @Override
        String ask(MetaClient client) {
            SlotMoveResponse r = client.migrations();
            return "map version " + r.getMapVersion() + "\n"
                    + (r.getMigrationsCount() == 0 ? "no migrations in flight\n"
                    : MapTables.migrationInfos(r.getMigrationsList()))
                    + MapTables.pauses(r.getPauses());
        }
    }

    @Command(name = "abort-migration", mixinStandardHelpOptions = true,
            header = "Roll back a migration that has not been committed yet; answers once it is gone.")
    static final class AbortMigration extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "ID", description = "The migration id (cairn admin migrations).")
        long id;

        @Override
        void check() {
            positive("ID", id);
        }

        @Override
        String ask(MetaClient client) {
            SlotMoveResponse r = client.abortMigration(id);
            if (!r.getError().isEmpty()) {
                throw new IllegalArgumentException(r.getError());
            }
            return "migration " + id + " aborted (map version " + r.getMapVersion() + ")\n";
        }
    }

    @Command(name = "add-observer", mixinStandardHelpOptions = true,
            header = "Add an observer (non-voting, read-serving) replica of a group: add-replica --role observer.")
    static final class AddObserver extends AdminCommand.GroupStoreCall {
        @Override
        String ask(MetaClient client) {
            return AdminCommand.added(group, "observer", store, AdminCommand.addReplica(client, group, store, "observer"));
        }
    }

    @Command(name = "remove-observer", mixinStandardHelpOptions = true,
            header = "Remove an observer replica of a group: remove-replica, refused for a voter or learner.")
    static final class RemoveObserver extends AdminCommand.GroupStoreCall {
        @Override
        String ask(MetaClient client) {
            client.currentMap().findGroup(group).flatMap(g -> g.replicaOn(store))
                    .filter(r -> r.role() != ReplicaRole.OBSERVER).ifPresent(r -> {
                        throw new IllegalArgumentException("the replica of group " + group + " on store " + store
                                + " is a " + r.role().name().toLowerCase(Locale.ROOT)
                                + ", not an observer (remove-replica removes it)");
                    });
            return AdminCommand.removed(group, store, AdminCommand.removeReplica(client, group, store));
        }
    }
}
