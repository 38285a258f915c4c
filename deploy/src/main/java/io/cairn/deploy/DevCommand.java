package io.cairn.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn dev}: a whole cluster in this process ({@link DevCluster}), until Ctrl-C. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        header = "Run a whole cluster in one process, for trying Cairn.",
        description = {
            "A meta service replica, 3 store nodes hosting 3 Raft groups of 3 replicas that split "
                + "the 16384 slots, and a gateway, in this process. Data is kept under --data (meta/, "
                + "store-N/); a restart with the same --data keeps it. Ctrl-C stops it cleanly.",
            "Ports on 127.0.0.1: the meta service on BASE_PORT (its Raft on BASE_PORT+1), store N's "
                + "Raft on BASE_PORT+2N and its StoreService on the next one.",
            ""})
final class DevCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data",
            description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the gateway binds to (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "6379",
            description = "The gateway's port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "" + DevCluster.DEFAULT_BASE_PORT,
            description = "First of " + DevCluster.PORTS + " consecutive meta and store ports (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Override
    public Integer call() throws InterruptedException {
        DevCluster cluster = DevCluster.start(new DevCluster.Options(data, host, port, basePort));
        Map<Long, Long> leaders = cluster.awaitLeaders(Duration.ofSeconds(60));
        if (leaders.size() < DevCluster.GROUPS || leaders.containsValue(0L)) {
            LOG.warn("not every group has elected a leader after 60 s: {}", leaders);
        }
        spec.commandLine().getOut().print(cluster.banner(leaders));
        spec.commandLine().getOut().flush();
        return RunUntilStopped.run("dev cluster", cluster);
    }
}
