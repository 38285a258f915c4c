package io.cairn.deploy;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn gateway --config FILE}: one Redis-protocol gateway, until SIGTERM or Ctrl-C. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        header = "Run a Redis-protocol gateway (one per process).",
        description = {
            "Accepts Redis clients (RESP2/RESP3) and routes their commands to the store nodes, "
                + "following the meta service's shard map. Stateless: run as many as you like. Runs "
                + "until SIGTERM or Ctrl-C, then closes cleanly.",
            "Config keys: docs/gateway.md.",
            ""})
final class GatewayCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The gateway's key=value config file.")
    Path config;

    @Override
    public Integer call() {
        return RunUntilStopped.run("gateway", start(config));
    }

    /**
     * The seam for the gateway role: load the config file, connect the cluster view, start the
     * server. To fill in when the config file loader and the meta service's watch client are
     * merged, e.g. {@code GatewayConfig c = GatewayConfig.load(file); ClusterView view =
     * MetaClusterView.connect(...); GatewayServer s = GatewayServer.start(c, view)} and return
     * something that closes the server, then the view (the server does not close it).
     */
    static AutoCloseable start(Path file) {
        throw new NotAvailableException("gateway",
                "the gateway's config file loader and the meta service client are not merged yet");
    }
}
