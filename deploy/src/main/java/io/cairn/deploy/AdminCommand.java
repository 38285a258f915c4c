package io.cairn.deploy;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.GroupInfo;
import io.cairn.meta.map.Replica;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.ReplicaChangeResponse;
import io.cairn.meta.proto.TransferLeaderResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code cairn admin ...}: cluster operations against the meta service. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        header = "Cluster operations against the meta service.",
        description = {"Ask the meta service and print the shard map, or change who leads a group and where "
            + "its replicas are. Exits with 1 when no meta replica answers within --timeout or the meta service refuses.", ""},
        subcommands = {AdminCommand.Status.class, AdminCommand.Query.class, AdminCommand.History.class,
            AdminCommand.TransferLeader.class, AdminCommand.AddReplica.class, AdminCommand.RemoveReplica.class,
            AdminCommand.MoveReplica.class,
            AdminMigrationCommands.Move.class, AdminMigrationCommands.Rebalance.class, AdminMigrationCommands.Join.class,
            AdminMigrationCommands.Leave.class, AdminMigrationCommands.Migrations.class,
            AdminMigrationCommands.AbortMigration.class, AdminMigrationCommands.AddObserver.class,
            AdminMigrationCommands.RemoveObserver.class, AdminStoreCommands.AddStore.class,
            AdminStoreCommands.RemoveStore.class},
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n")
final class AdminCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--meta"}, paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:7001",
            description = "Meta service replicas to ask (any one answers; default: ${DEFAULT-VALUE}).")
    String meta;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up when no meta replica answers within this (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** A client of the replicas given with --meta, giving up after --timeout. */
    MetaClient client() {
        return client(false);
    }

    /**
     * The same; {@code waitsForStores}: one call may last the whole --timeout (the meta leader
     * answers a transfer once a store did it), so it is not retried elsewhere after 3 s.
     */
    MetaClient client(boolean waitsForStores) {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout: " + timeoutSeconds + " (expected: > 0)");
        }
        Duration total = Duration.ofSeconds(timeoutSeconds);
        MetaClient.Options o = MetaClient.Options.defaults().withTotalTimeout(total);
        if (waitsForStores || o.callTimeout().compareTo(total) > 0) {
            o = o.withCallTimeout(total);
        }
        return new MetaClient(MetaClient.parseAddresses(meta), o);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /**
     * A subcommand that checks its arguments, asks the meta service and prints the answer: what
     * every {@code cairn admin} subcommand does. A refusal is an IllegalArgumentException (its
     * message on stderr, exit code 1).
     */
    abstract static class MetaCall implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;
        @Spec
        CommandSpec spec;

        /** Checks the arguments (a ParameterException) before anything is asked. */
        void check() {
        }

        /** Whether one call may last the whole --timeout ({@link AdminCommand#client(boolean)}). */
        boolean waitsForStores() {
            return false;
        }

        /** Asks the meta service; returns what is printed last (lines printed on the way go to {@link #out}). */
        abstract String ask(MetaClient client);

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void positive(String what, long value) {
            if (value <= 0) {
                throw new ParameterException(spec.commandLine(), what + ": " + value + " (expected: > 0)");
            }
        }

        @Override
        public Integer call() {
            check();
            try (MetaClient client = admin.client(waitsForStores())) {
                out().print(ask(client));
            }
            return Cairn.EXIT_OK;
        }
    }

    /** A subcommand on one replica: GROUP STORE. */
    abstract static class GroupStoreCall extends MetaCall {
        @Parameters(index = "0", paramLabel = "GROUP", description = "The group id.")
        long group;
        @Parameters(index = "1", paramLabel = "STORE", description = "The store id.")
        long store;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Print the current shard map: stores, groups with replicas and leaders, slots.")
    static final class Status extends MetaCall {
        @Override
        String ask(MetaClient client) {
            return status(client);
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            header = "Print the shard map at a version of its history (default: the current one).")
    static final class Query extends MetaCall {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "A map version (>= 0).")
        Long version;

        @Override
        void check() {
            if (version != null && version < 0) {
                throw new ParameterException(spec.commandLine(), "VERSION: " + version + " (expected: >= 0)");
            }
        }

        @Override
        String ask(MetaClient client) {
            return query(client, version);
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            header = "Print the map versions the meta service keeps, oldest first, with the change that made each.")
    static final class History extends MetaCall {
        @Override
        String ask(MetaClient client) {
            return MapTables.history(client.history().getEntriesList());
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true,
            header = "Hand the leadership of a group to a store that holds a voter replica of it.",
            description = {"Prints the new leader once it leads; exits with 1 and the reason when the meta "
                + "service refuses (unknown group or store, no voter replica there, store down) or the "
                + "transfer fails (the store did not take over in time)."})
    static final class TransferLeader extends MetaCall {
        @Parameters(index = "0", paramLabel = "GROUP", description = "A group id (> 0).")
        long group;

        @Parameters(index = "1", paramLabel = "STORE", description = "The store id (> 0) that should lead it.")
        long store;

        @Override
        void check() {
            if (group <= 0 || store <= 0) {
                throw new ParameterException(spec.commandLine(), "GROUP " + group + ", STORE " + store
                        + " (expected: ids > 0)");
            }
        }

        @Override
        boolean waitsForStores() {
            return true;
        }

        @Override
        String ask(MetaClient client) {
            return transferLeader(client, group, store);
        }
    }

    /** Asks the meta service to move the leadership; the outcome as a line, or a refusal thrown. */
    static String transferLeader(MetaClient client, long group, long store) {
        TransferLeaderResponse r = client.transferLeader(group, store);
        if (!r.getError().isEmpty()) {
            throw new IllegalArgumentException(r.getError());
        }
        return "group " + group + " is led by store " + r.getLeaderStoreId()
                + (r.getTerm() == 0 ? "" : " (term " + r.getTerm() + ")") + "\n";
    }

    @Command(name = "add-replica", mixinStandardHelpOptions = true,
            header = "Add a replica of a group on a store; waits until it is done (a voter: until it caught up).")
    static final class AddReplica extends GroupStoreCall {
        @Option(names = "--role", paramLabel = "learner|voter|observer", defaultValue = "voter",
                description = "Role of the new replica (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        String ask(MetaClient client) {
            return added(group, role, store, addReplica(client, group, store, role));
        }
    }

    @Command(name = "remove-replica", mixinStandardHelpOptions = true,
            header = "Remove a replica of a group from a store (refused below the replication factor).")
    static final class RemoveReplica extends GroupStoreCall {
        @Override
        String ask(MetaClient client) {
            return removed(group, store, removeReplica(client, group, store));
        }
    }

    @Command(name = "move-replica", mixinStandardHelpOptions = true,
            header = "Move a replica of a group from one store to another: add on TO (same role), then remove from FROM.")
    static final class MoveReplica extends MetaCall {
        @Parameters(index = "0", paramLabel = "GROUP", description = "The group id.")
        long group;
        @Parameters(index = "1", paramLabel = "FROM", description = "The store that hosts the replica now.")
        long from;
        @Parameters(index = "2", paramLabel = "TO", description = "The store to host it.")
        long to;

        @Override
        String ask(MetaClient client) {
            ShardMap m = client.currentMap();
            GroupInfo g = m.findGroup(group).orElseThrow(() -> new IllegalArgumentException("unknown group: " + group));
            Replica r = g.replicaOn(from).orElseThrow(() -> new IllegalArgumentException(
                    "group " + group + " has no replica on store " + from));
            String role = r.role().name().toLowerCase(Locale.ROOT);
            addReplica(client, group, to, role);
            out().printf("group %d: %s replica added on store %d%n", group, role, to);
            return removed(group, from, removeReplica(client, group, from));
        }
    }

    static String added(long group, String role, long store, long version) {
        return String.format("group %d: %s replica added on store %d (map version %d)%n", group, role, store, version);
    }

    static String removed(long group, long store, long version) {
        return String.format("group %d: replica on store %d removed (map version %d)%n", group, store, version);
    }

    /** AddReplica; a refusal becomes an IllegalArgumentException (its message, exit code 1). */
    static long addReplica(MetaClient client, long group, long store, String role) {
        return changed(client.addReplica(group, store, role));
    }

    static long removeReplica(MetaClient client, long group, long store) {
        return changed(client.removeReplica(group, store));
    }

    private static long changed(ReplicaChangeResponse r) {
        if (!r.getError().isEmpty()) {
            throw new IllegalArgumentException(r.getError());
        }
        return r.getMapVersion();
    }

    /** The meta leader's status: replicas, the current map with leaders, store reports. */
    static String status(MetaClient client) {
        return MapTables.render(client.status());
    }

    /** The map at {@code version} of the history (null: the current one), with the leader hints known. */
    static String query(MetaClient client, Long version) {
        GetMapResponse r = client.getMap(version == null ? 0 : version);
        if (!r.getError().isEmpty()) {
            throw new IllegalArgumentException(r.getError());
        }
        return MapTables.render(ShardMapCodec.decodeMap(r.getMap().toByteArray()),
                MapTables.leaders(r.getLeadersList()), List.of());
    }
}
