package io.cairn.raft.runtime;

import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.StateType;
import io.cairn.raft.transport.GrpcTransportOptions;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One real Cairn node in its own JVM, for {@link RuntimeKillTest}: RocksLogStore with fsync,
 * gRPC transport on 127.0.0.1, one {@link FileStateMachine} per group.
 *
 * <p>Args: {@code <nodeId> <dataDir> <port> <peers: id=host:port,...> <groups: g1,g2,...>}. Creates
 * the groups with founding voters {1,2,3} when the store has none, starts, prints {@code ready},
 * then answers one line per command read on stdin:
 * <ul>
 *   <li>{@code propose <group> <value>} → {@code ok <value>} once the proposal was applied here,
 *       else {@code err <reason>}</li>
 *   <li>{@code leader <group>} → {@code leader <id>} as this node sees it, {@code leader 0} if unknown</li>
 *   <li>{@code values <group>} → {@code values <count> <v1,v2,...>}</li>
 * </ul>
 * Exits at once when stdin closes. Everything else the JVM prints goes to stderr.
 */
public final class RuntimeNodeProcess {

    private RuntimeNodeProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err); // keep the protocol channel clean of stray prints
        long id = Long.parseLong(args[0]);
        Path dir = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        Map<Long, String> peers = new ConcurrentHashMap<>();
        for (String p : args[3].split(",")) {
            String[] kv = p.split("=", 2);
            peers.put(Long.parseLong(kv[0]), kv[1]);
        }
        List<Long> groups = new ArrayList<>();
        for (String g : args[4].split(",")) {
            groups.add(Long.parseLong(g));
        }

        Map<Long, FileStateMachine> sms = new ConcurrentHashMap<>();
        GrpcTransportOptions topts = GrpcTransportOptions.defaults()
                .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200));
        RuntimeOptions o = RuntimeOptions.defaults(dir).withTickMillis(20).withWorkers(2).withApplyThreads(2)
                .withElectionTicks(10);
        RaftRuntime rt = RaftRuntime.onDisk(id, dir, "127.0.0.1", port,
                g -> sms.computeIfAbsent(g, k -> new FileStateMachine(dir.resolve("sm").resolve(Long.toString(g)))),
                o, topts);
        rt.start();
        boolean fresh = rt.groupIds().isEmpty();
        peers.forEach((peer, addr) -> rt.transport().setPeer(peer, addr));
        if (fresh) {
            List<CompletableFuture<Void>> created = new ArrayList<>();
            for (long g : groups) {
                created.add(rt.createGroup(g, ConfState.ofVoters(1L, 2L, 3L)));
            }
            for (CompletableFuture<Void> c : created) {
                c.get(30, TimeUnit.SECONDS);
            }
        }
        out.println("ready");
        out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split(" ");
            String reply;
            try {
                reply = switch (cmd[0]) {
                    case "propose" -> propose(rt, Long.parseLong(cmd[1]), cmd[2]);
                    case "leader" -> "leader " + leader(rt, Long.parseLong(cmd[1]));
                    case "values" -> {
                        FileStateMachine sm = sms.get(Long.parseLong(cmd[1]));
                        List<String> vs = sm == null ? List.of() : sm.values();
                        yield "values " + vs.size() + " " + String.join(",", vs);
                    }
                    default -> "err unknown command " + cmd[0];
                };
            } catch (Exception e) {
                reply = "err " + oneLine(e);
            }
            out.println(reply);
            out.flush();
        }
        Runtime.getRuntime().halt(0); // parent gone: no orderly shutdown needed
    }

    private static String propose(RaftRuntime rt, long group, String value) {
        try {
            rt.propose(group, value.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            return "ok " + value;
        } catch (ExecutionException e) {
            return "err " + oneLine(e.getCause());
        } catch (Exception e) {
            return "err " + oneLine(e);
        }
    }

    private static long leader(RaftRuntime rt, long group) {
        try {
            GroupStatus s = rt.status(group).get(2, TimeUnit.SECONDS);
            if (s.role() == StateType.LEADER) {
                return rt.nodeId();
            }
            return s.leader();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String oneLine(Throwable t) {
        return (t.getClass().getSimpleName() + ": " + t.getMessage()).replace('\n', ' ').replace('\r', ' ');
    }
}
