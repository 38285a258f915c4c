package io.cairn.deploy;

import io.cairn.store.node.StoreConfig;
import io.cairn.store.node.StoreNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn store --config FILE}: one store node, until SIGTERM or Ctrl-C. */
@Command(name = "store", mixinStandardHelpOptions = true,
        header = "Run a store node (one per process).",
        description = {
            "Replicas of many Raft groups over one RocksDB, served to gateways through the gRPC "
                + "StoreService. Runs until SIGTERM or Ctrl-C, then closes cleanly.",
            "Config keys: docs/store-node.md.",
            ""})
final class StoreCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The store node's key=value config file.")
    Path config;

    @Override
    public Integer call() {
        StoreConfig c = StoreConfig.load(config);
        LOG.info("starting store node {} from {} (data in {})", c.nodeId(), config, c.dataDir());
        StoreNode node = StoreNode.start(c);
        return RunUntilStopped.run("store node " + c.nodeId(), node);
    }
}
