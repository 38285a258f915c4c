package io.cairn.store.node;

import io.cairn.store.types.Slots;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one store node, read from a {@code key=value} file (java.util.Properties
 * syntax). Every key and its default is documented in docs/store-node.md. Unknown keys are
 * refused, so a typo does not silently fall back to a default.
 *
 * @param nodeId              this node's id (&gt; 0), unique in the cluster
 * @param dataDir             where the node keeps everything: {@code data/} (data RocksDB) and
 *                            {@code raft/} (Raft log, snapshots)
 * @param host                address this node binds to
 * @param raftPort            port of the Raft transport (gRPC)
 * @param servicePort         port of the StoreService (gRPC)
 * @param peers               every node of the cluster, this one included or not
 * @param groups              the static groups of the cluster, by id
 * @param metaAddress         the meta service's address, or null
 * @param mapVersion          version of this static shard map (answered in WRONG_GROUP)
 * @param tickMillis          Raft tick length
 * @param electionTicks       Raft election timeout, in ticks
 * @param raftWorkers         Raft worker threads
 * @param applyThreads        state machine apply threads
 * @param readThreads         threads running reads after their ReadIndex
 * @param requestTimeoutMillis how long a command may wait for its commit or read barrier
 * @param expiryIntervalMillis how often a leader looks for expired keys to delete
 * @param expiryBatch         most keys deleted by one active-expiry proposal
 * @param sessionExpiryIntervalMillis how often a leader proposes dropping idle sessions
 * @param maxMessageBytes     largest Execute request accepted
 */
public record StoreConfig(long nodeId, Path dataDir, String host, int raftPort, int servicePort,
                          Map<Long, Peer> peers, Map<Long, Group> groups, String metaAddress, long mapVersion,
                          long tickMillis, int electionTicks, int raftWorkers, int applyThreads, int readThreads,
                          long requestTimeoutMillis, long expiryIntervalMillis, int expiryBatch,
                          long sessionExpiryIntervalMillis, int maxMessageBytes) {

    /** A node of the cluster: where its Raft transport and its StoreService listen. */
    public record Peer(long id, String host, int raftPort, int servicePort) {
        public String raftAddress() {
            return host + ":" + raftPort;
        }

        public String serviceAddress() {
            return host + ":" + servicePort;
        }
    }

    /** A static group: its founding voters and the slots it owns ({@code slots} is not shared). */
    public record Group(long id, Set<Long> members, BitSet slots, List<String> slotRanges) {
        public boolean owns(int slot) {
            return slots.get(slot);
        }
    }

    private static final Pattern GROUP_KEY = Pattern.compile("group\\.(\\d+)\\.(members|slots)");
    private static final Set<String> KEYS = Set.of("node.id", "data.dir", "host", "raft.port", "service.port",
            "peers", "meta.address", "map.version", "raft.tick.ms", "raft.election.ticks", "raft.workers",
            "raft.apply.threads", "read.threads", "request.timeout.ms", "expiry.interval.ms", "expiry.batch",
            "sessions.expiry.interval.ms", "service.max.message.bytes");

    public static StoreConfig load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read store config " + file, e);
        }
        return from(p);
    }

    public static StoreConfig from(Properties p) {
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k) && !GROUP_KEY.matcher(k).matches()) {
                throw new IllegalArgumentException("unknown config key '" + k + "' (see docs/store-node.md)");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        long nodeId = positiveLong(p, "node.id", null);
        Path dataDir = Path.of(required(p, "data.dir"));
        int raftPort = port(p, "raft.port");
        int servicePort = port(p, "service.port");
        Map<Long, Peer> peers = parsePeers(p.getProperty("peers", ""));
        Peer listed = peers.get(nodeId);
        if (listed != null && (listed.raftPort() != raftPort || listed.servicePort() != servicePort)) {
            throw new IllegalArgumentException("peers lists node " + nodeId + " as " + listed
                    + " but raft.port/service.port say " + raftPort + "/" + servicePort);
        }
        // Bind to `host`; others reach this node at its peers entry (which may differ, e.g. 0.0.0.0).
        String hostValue = p.getProperty("host");
        String host = hostValue != null && !hostValue.isBlank() ? hostValue.trim()
                : listed != null ? listed.host() : "127.0.0.1";
        if (listed == null) {
            peers.put(nodeId, new Peer(nodeId, host, raftPort, servicePort));
        }
        Map<Long, Group> groups = parseGroups(p, peers);
        String meta = p.getProperty("meta.address");
        meta = meta == null || meta.isBlank() ? null : meta.trim();
        return new StoreConfig(nodeId, dataDir, host, raftPort, servicePort, Collections.unmodifiableMap(peers),
                Collections.unmodifiableMap(groups), meta,
                positiveLong(p, "map.version", 1L),
                positiveLong(p, "raft.tick.ms", 100L),
                (int) positiveLong(p, "raft.election.ticks", 10L),
                (int) positiveLong(p, "raft.workers", (long) cores),
                (int) positiveLong(p, "raft.apply.threads", (long) cores),
                (int) positiveLong(p, "read.threads", (long) cores),
                positiveLong(p, "request.timeout.ms", 5_000L),
                positiveLong(p, "expiry.interval.ms", 100L),
                (int) positiveLong(p, "expiry.batch", 64L),
                positiveLong(p, "sessions.expiry.interval.ms", 60_000L),
                (int) positiveLong(p, "service.max.message.bytes", 64L << 20));
    }

    /** The groups this node is a founding member of. */
    public List<Group> localGroups() {
        List<Group> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.members().contains(nodeId)) {
                out.add(g);
            }
        }
        return out;
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("config key '" + key + "' is required");
        }
        return v.trim();
    }

    private static long positiveLong(Properties p, String key, Long dflt) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            if (dflt == null) {
                throw new IllegalArgumentException("config key '" + key + "' is required");
            }
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "': '" + v + "' is not a number");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " (expected: > 0)");
        }
        return n;
    }

    private static int port(Properties p, String key) {
        long n = positiveLong(p, key, null);
        if (n > 65535) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " is not a port");
        }
        return (int) n;
    }

    /** {@code id=host:raftPort:servicePort,...}. */
    static Map<Long, Peer> parsePeers(String s) {
        Map<Long, Peer> out = new TreeMap<>();
        for (String item : s.split(",")) {
            item = item.trim();
            if (item.isEmpty()) {
                continue;
            }
            String[] kv = item.split("=", 2);
            String[] hp = kv.length == 2 ? kv[1].trim().split(":") : new String[0];
            if (hp.length != 3) {
                throw new IllegalArgumentException("peers: '" + item + "' (expected: id=host:raftPort:servicePort)");
            }
            try {
                long id = Long.parseLong(kv[0].trim());
                out.put(id, new Peer(id, hp[0], Integer.parseInt(hp[1]), Integer.parseInt(hp[2])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("peers: '" + item + "' (expected: id=host:raftPort:servicePort)");
            }
        }
        return out;
    }

    private static Map<Long, Group> parseGroups(Properties p, Map<Long, Peer> peers) {
        Map<Long, Set<Long>> members = new TreeMap<>();
        Map<Long, String> slots = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            Matcher m = GROUP_KEY.matcher(k);
            if (!m.matches()) {
                continue;
            }
            long id = Long.parseLong(m.group(1));
            if (id <= 0) {
                throw new IllegalArgumentException("config key '" + k + "': group ids start at 1");
            }
            if (m.group(2).equals("members")) {
                Set<Long> ms = new LinkedHashSet<>();
                for (String s : p.getProperty(k).split(",")) {
                    if (!s.isBlank()) {
                        long node = Long.parseLong(s.trim());
                        if (!peers.containsKey(node)) {
                            throw new IllegalArgumentException(k + ": node " + node + " is not in peers");
                        }
                        ms.add(node);
                    }
                }
                members.put(id, ms);
            } else {
                slots.put(id, p.getProperty(k));
            }
        }
        Map<Long, Group> out = new TreeMap<>();
        BitSet taken = new BitSet(Slots.COUNT);
        for (Map.Entry<Long, Set<Long>> e : members.entrySet()) {
            long id = e.getKey();
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("group." + id + ".members is empty");
            }
            BitSet bits = new BitSet(Slots.COUNT);
            List<String> ranges = new ArrayList<>();
            for (String r : slots.getOrDefault(id, "").split(",")) {
                r = r.trim();
                if (r.isEmpty()) {
                    continue;
                }
                String[] ft = r.split("-", 2);
                int from;
                int to;
                try {
                    from = Integer.parseInt(ft[0].trim());
                    to = ft.length == 2 ? Integer.parseInt(ft[1].trim()) : from;
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("group." + id + ".slots: '" + r + "' (expected: from-to)");
                }
                if (from < 0 || to >= Slots.COUNT || from > to) {
                    throw new IllegalArgumentException("group." + id + ".slots: '" + r + "' (expected: 0 <= from <= to < "
                            + Slots.COUNT + ")");
                }
                BitSet range = new BitSet();
                range.set(from, to + 1);
                if (range.intersects(taken)) {
                    throw new IllegalArgumentException("group." + id + ".slots: '" + r
                            + "' overlaps slots of another group");
                }
                taken.or(range);
                bits.or(range);
                ranges.add(from + "-" + to);
            }
            out.put(id, new Group(id, Set.copyOf(e.getValue()), bits, List.copyOf(ranges)));
        }
        for (long id : slots.keySet()) {
            if (!members.containsKey(id)) {
                throw new IllegalArgumentException("group." + id + ".slots given without group." + id + ".members");
            }
        }
        return out;
    }
}
