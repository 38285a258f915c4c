package io.cairn.deploy;

import io.cairn.meta.client.MetaClient;
import io.cairn.meta.proto.ReplicaMove;
import io.cairn.meta.proto.StoreChangeResponse;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn admin add-store | remove-store}: take a store into use or drain and remove it
 * (docs/meta-service.md, "Store changes"). Both wait until the meta leader is done and print each
 * replica moved; a refusal exits with 1 and the reason.
 */
final class AdminStoreCommands {
    private AdminStoreCommands() {}

    @Command(name = "add-store", mixinStandardHelpOptions = true,
            header = "Take a running store into use: wait for it to register, then spread replicas onto it.",
            description = {"ADDR is the store's StoreService address (host:port, its host and service.port) as it "
                + "registers itself: start the store with meta.address set first. Replicas move from the stores "
                + "with the most until every UP store's count is within one of the others' (each move: add on "
                + "the new store, then remove from the old one). Prints every move."})
    static final class AddStore extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "ADDR", description = "The store's StoreService address host:port.")
        String address;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
                description = "How long the meta leader waits for the store to register and be UP (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        void check() {
            if (!address.matches("[^:\\s]+:\\d+")) {
                throw new ParameterException(spec.commandLine(), "ADDR: " + address + " (expected: host:port)");
            }
            positive("--wait", waitSeconds);
        }

        @Override
        String ask(MetaClient client) {
            StoreChangeResponse r = client.addStore(address, Duration.ofSeconds(waitSeconds));
            return report(out(), r, "store " + r.getStoreId() + " (" + address + ") added");
        }
    }

    @Command(name = "remove-store", mixinStandardHelpOptions = true,
            header = "Move every replica off a store, then mark it REMOVED.",
            description = {"Each replica is first added on the UP store with the fewest replicas that does not host "
                + "its group, then removed from this store, so no group has fewer voters meanwhile. Refused when "
                + "fewer stores would be left than some group has replicas. Repeat it after an interruption: it "
                + "carries on. Stop the store's process afterwards."})
    static final class RemoveStore extends AdminCommand.MetaCall {
        @Parameters(index = "0", paramLabel = "ID", description = "The store id (> 0).")
        long store;

        @Override
        void check() {
            positive("ID", store);
        }

        @Override
        String ask(MetaClient client) {
            return report(out(), client.removeStore(store), "store " + store + " removed");
        }
    }

    /**
     * Prints one line per move ({@code group 2: voter replica moved from store 1 to store 4}), even
     * when a later step was refused; then the refusal as an IllegalArgumentException (its message
     * on stderr, exit code 1); returns the last line: {@code done} with the count and the map version.
     */
    static String report(PrintWriter out, StoreChangeResponse r, String done) {
        for (ReplicaMove mv : r.getMovesList()) {
            if (mv.getToStore() == 0) {
                out.printf("group %d: %s replica removed from store %d (the group keeps enough voters)%n",
                        mv.getGroupId(), mv.getRole(), mv.getFromStore());
            } else {
                out.printf("group %d: %s replica moved from store %d to store %d%n", mv.getGroupId(), mv.getRole(),
                        mv.getFromStore(), mv.getToStore());
            }
        }
        out.flush();
        if (!r.getError().isEmpty()) {
            throw new IllegalArgumentException(r.getError());
        }
        return String.format("%s, %d replica%s moved (map version %d)%n", done, r.getMovesCount(),
                r.getMovesCount() == 1 ? "" : "s", r.getMapVersion());
    }
}
