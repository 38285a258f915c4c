package io.cairn.deploy;

import io.cairn.deploy.it.RespCall;
import io.cairn.store.node.StoreConfig;
import io.cairn.testing.Ports;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/** One {@code cairn admin --meta META ...} run in this JVM: its exit code and what it printed. */
record AdminRun(int code, String out, String err) {
    static AdminRun admin(String meta, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "admin";
        all[1] = "--meta";
        all[2] = meta;
        System.arraycopy(args, 0, all, 3, args.length);
        int code = Cairn.execute(new PrintWriter(out), new PrintWriter(err), all);
        return new AdminRun(code, out.toString(), err.toString());
    }

    /** {@code cairn dev}'s cluster on free ports under {@code dir}, leaders elected, key0..key49 = value0..value49 set. */
    static DevCluster devWithKeys(Path dir) throws Exception {
        DevCluster dev = DevCluster.start(new DevCluster.Options(dir, "127.0.0.1", 0,
                Ports.freePortBlock(DevCluster.PORTS)));
        try {
            dev.awaitLeaders(Duration.ofSeconds(60));
            for (int i = 0; i < 50; i++) {
                String reply = RespCall.call(dev.gatewayPort(), "SET", "key" + i, "value" + i);
                if (!reply.equals("+OK\r\n")) {
                    throw new AssertionError("SET key" + i + ": " + reply);
                }
            }
            return dev;
        } catch (Exception | AssertionError e) {
            dev.close();
            throw e;
        }
    }

    /** A store 4 in meta mode for {@code cairn dev}'s cluster (free ports, one thread each), not started. */
    static StoreConfig fourthStore(Path dataDir, String metaAddress, int servicePort) throws IOException {
        Properties p = new Properties();
        p.setProperty("node.id", "4");
        p.setProperty("data.dir", dataDir.toString());
        p.setProperty("host", "127.0.0.1");
        p.setProperty("raft.port", Integer.toString(Ports.freePort()));
        p.setProperty("service.port", Integer.toString(servicePort));
        p.setProperty("meta.address", metaAddress);
        p.setProperty("raft.workers", "1");
        p.setProperty("read.threads", "1");
        return StoreConfig.from(p);
    }
}
