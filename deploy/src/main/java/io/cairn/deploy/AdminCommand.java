package io.cairn.deploy;

import io.cairn.meta.admin.MapTables;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.TransferLeaderResponse;
import java.time.Duration;
import java.util.List;
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
        description = {"Ask the meta service and print the shard map, or change who leads a group. Exits "
            + "with 1 when no meta replica answers within --timeout or the meta service refuses.", ""},
        subcommands = {AdminCommand.Status.class, AdminCommand.Query.class, AdminCommand.History.class,
            AdminCommand.TransferLeader.class},
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

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Print the current shard map: stores, groups with replicas and leaders, slots.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (MetaClient client = admin.client()) {
                spec.commandLine().getOut().print(status(client));
            }
            return Cairn.EXIT_OK;
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            header = "Print the shard map at a version of its history (default: the current one).")
    static final class Query implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "A map version (>= 0).")
        Long version;

        @Override
        public Integer call() {
            if (version != null && version < 0) {
                throw new ParameterException(spec.commandLine(), "VERSION: " + version + " (expected: >= 0)");
            }
            try (MetaClient client = admin.client()) {
                spec.commandLine().getOut().print(query(client, version));
            }
            return Cairn.EXIT_OK;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            header = "Print the map versions the meta service keeps, oldest first, with the change that made each.")
    static final class History implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (MetaClient client = admin.client()) {
                spec.commandLine().getOut().print(MapTables.history(client.history().getEntriesList()));
            }
            return Cairn.EXIT_OK;
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true,
            header = "Hand the leadership of a group to a store that holds a voter replica of it.",
            description = {"Prints the new leader once it leads; exits with 1 and the reason when the meta "
                + "service refuses (unknown group or store, no voter replica there, store down) or the "
                + "transfer fails (the store did not take over in time)."})
    static final class TransferLeader implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "GROUP", description = "A group id (> 0).")
        long group;

        @Parameters(index = "1", paramLabel = "STORE", description = "The store id (> 0) that should lead it.")
        long store;

        @Override
        public Integer call() {
            if (group <= 0 || store <= 0) {
                throw new ParameterException(spec.commandLine(), "GROUP " + group + ", STORE " + store
                        + " (expected: ids > 0)");
            }
            try (MetaClient client = admin.client(true)) {
                spec.commandLine().getOut().print(transferLeader(client, group, store));
            }
            return Cairn.EXIT_OK;
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
