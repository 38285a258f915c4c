package io.cairn.deploy;

import io.cairn.meta.server.MetaConfig;
import io.cairn.meta.server.MetaNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn meta --config FILE}: one replica of the meta service, until SIGTERM or Ctrl-C. */
@Command(name = "meta", mixinStandardHelpOptions = true,
        header = "Run a meta service replica (one per process).",
        description = {
            "The shard map (stores, groups, slot owners, versions) as a Raft group, usually of 3. "
                + "Stores register with it, gateways watch it. Runs until SIGTERM or Ctrl-C, then "
                + "closes cleanly.",
            "Config keys: docs/meta-service.md.",
            ""})
final class MetaCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The meta node's key=value config file.")
    Path config;

    @Override
    public Integer call() {
        return RunUntilStopped.run("meta node", start(config));
    }

    static AutoCloseable start(Path file) {
        return MetaNode.start(MetaConfig.load(file));
    }
}
