package io.cairn.deploy;

import io.cairn.gateway.GatewayConfig;
import io.cairn.meta.client.MetaClient;
import io.cairn.raft.config.ConfigFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn gateway --config FILE}: one Redis-protocol gateway, until SIGTERM or Ctrl-C. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        header = "Run a Redis-protocol gateway (one per process).",
        description = {
            "Accepts Redis clients (RESP2/RESP3) and routes their commands to the store nodes, "
                + "following the meta service's shard map (meta.address in the config file). "
                + "Stateless: run as many as you like. Runs until SIGTERM or Ctrl-C, then closes cleanly.",
            "Config keys: docs/gateway.md.",
            ""})
final class GatewayCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The gateway's key=value config file.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        return RunUntilStopped.run("gateway", start(config));
    }

    /**
     * Loads the config file ({@code meta.address}, required: the meta service replicas; every
     * other key as {@link GatewayConfig#from}) and starts a gateway following the meta service.
     */
    static MetaRoutedGateway start(Path file) throws InterruptedException {
        Properties p = ConfigFile.read(file, "gateway config");
        String meta = (String) p.remove("meta.address");
        if (meta == null || meta.isBlank()) {
            throw new IllegalArgumentException("gateway config " + file + ": meta.address is required "
                    + "(the meta service replicas, host:port[,host:port...])");
        }
        List<String> addresses = MetaClient.parseAddresses(meta);
        return MetaRoutedGateway.start(GatewayConfig.from(p), addresses);
    }
}
