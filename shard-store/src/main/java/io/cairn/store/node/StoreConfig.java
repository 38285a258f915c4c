package io.cairn.store.node;

import io.cairn.raft.config.ConfigFile;
import io.cairn.store.types.Slots;
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
 * @param metaAddresses       the meta service replicas (host:port); empty = static groups only
 * @param metaHeartbeatMillis how often the node reports its groups to the meta service
 * @param mapVersion          version of this static shard map (answered in WRONG_GROUP)
 * @param tickMillis          Raft tick length
 * @param electionTicks       Raft election timeout, in ticks
 * @param raftWorkers         Raft worker threads
 * @param applyThreads        state machine apply threads
 * @param readThreads         threads running reads after their ReadIndex
 * @param requestTimeoutMillis how long a command may wait for its commit or read barrier while
 *     its group applies nothing (a group that keeps applying is waited for)
 * @param expiryIntervalMillis how often a leader looks for expired keys to delete
 * @param expiryBatch         most keys deleted by one active-expiry proposal
 * @param sessionExpiryIntervalMillis how often a leader proposes dropping idle sessions
 * @param maxMessageBytes     largest Execute request accepted
 * @param metricsPort         port of the Prometheus endpoint {@code http://host:port/metrics}; 0: off
 * @param leaseReads          {@code raft.read.mode}: {@code lease} (true) answers a group leader's reads
 *                            from its leader lease when it holds one; {@code readindex} (false) takes
 *                            a heartbeat round for every read batch
 * @param inlineApplyBytes    {@code raft.inline.apply.bytes}: committed batches up to this many bytes
 *                            are applied on the group's Raft worker (0: always on the apply thread)
 * @param blockCacheBytes     {@code data.block.cache.bytes}: the data RocksDB's block cache (0: the
 *                            Java binding's 8 MiB default)
 */
public record StoreConfig(long nodeId, Path dataDir, String host, int raftPort, int servicePort,
                          Map<Long, Peer> peers, Map<Long, Group> groups, List<String> metaAddresses,
                          long metaHeartbeatMillis, long mapVersion,
                          long tickMillis, int electionTicks, int raftWorkers, int applyThreads, int readThreads,
                          long requestTimeoutMillis, long expiryIntervalMillis, int expiryBatch,
                          long sessionExpiryIntervalMillis, int maxMessageBytes, int metricsPort,
                          boolean leaseReads, int inlineApplyBytes, long blockCacheBytes) {

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
            "peers", "meta.address", "meta.heartbeat.ms", "map.version", "raft.tick.ms", "raft.election.ticks", "raft.workers",
            "raft.apply.threads", "read.threads", "request.timeout.ms", "expiry.interval.ms", "expiry.batch",
            "sessions.expiry.interval.ms", "service.max.message.bytes", "metrics.port", "raft.read.mode",
            "raft.inline.apply.bytes", "data.block.cache.bytes");

    public static StoreConfig load(Path file) {
        return from(ConfigFile.read(file, "store config"));
    }

    public static StoreConfig from(Properties p) {
        ConfigFile c = ConfigFile.of(p, KEYS, k -> GROUP_KEY.matcher(k).matches(), "docs/store-node.md");
        int cores = Runtime.getRuntime().availableProcessors();
        long nodeId = c.positiveLong("node.id", null);
        Path dataDir = Path.of(c.required("data.dir"));
        int raftPort = c.port("raft.port");
        int servicePort = c.port("service.port");
        Map<Long, Peer> peers = parsePeers(p.getProperty("peers", ""));
        Peer listed = peers.get(nodeId);
        if (listed != null && (listed.raftPort() != raftPort || listed.servicePort() != servicePort)) {
            throw new IllegalArgumentException("peers lists node " + nodeId + " as " + listed
                    + " but raft.port/service.port say " + raftPort + "/" + servicePort);
        }
        // Bind to `host`; others reach this node at its peers entry (which may differ, e.g. 0.0.0.0).
        String hostValue = c.optional("host");
        String host = hostValue != null ? hostValue : listed != null ? listed.host() : "127.0.0.1";
        if (listed == null) {
            peers.put(nodeId, new Peer(nodeId, host, raftPort, servicePort));
        }
        Map<Long, Group> groups = parseGroups(p, peers);
        List<String> meta = parseMetaAddresses(c.optional("meta.address"));
        if (!meta.isEmpty() && !groups.isEmpty()) {
            throw new IllegalArgumentException("meta.address is set: the meta service places the groups, "
                    + "so group.<id>.* keys are not allowed (remove them or meta.address)");
        }
        return new StoreConfig(nodeId, dataDir, host, raftPort, servicePort, Collections.unmodifiableMap(peers),
                Collections.unmodifiableMap(groups), meta,
                c.positiveLong("meta.heartbeat.ms", 500L),
                c.positiveLong("map.version", 1L),
                c.positiveLong("raft.tick.ms", 100L),
                (int) c.positiveLong("raft.election.ticks", 10L),
                (int) c.positiveLong("raft.workers", (long) cores),
                (int) c.positiveLong("raft.apply.threads", (long) cores),
                (int) c.positiveLong("read.threads", (long) cores),
                c.positiveLong("request.timeout.ms", 5_000L),
                c.positiveLong("expiry.interval.ms", 100L),
                (int) c.positiveLong("expiry.batch", 64L),
                c.positiveLong("sessions.expiry.interval.ms", 60_000L),
                (int) c.positiveLong("service.max.message.bytes", 64L << 20),
                c.optionalPort("metrics.port", 0),
                parseReadMode(c.optional("raft.read.mode")),
                (int) Math.min(Integer.MAX_VALUE, c.nonNegativeLong("raft.inline.apply.bytes", 2048L)),
                c.nonNegativeLong("data.block.cache.bytes", io.cairn.store.replica.DataDb.DEFAULT_BLOCK_CACHE_BYTES));
    }

    /** {@code raft.read.mode}: {@code lease} (the default) or {@code readindex}. */
    static boolean parseReadMode(String value) {
        if (value == null || value.trim().equals("lease")) {
            return true;
        }
        if (value.trim().equals("readindex")) {
            return false;
        }
        throw new IllegalArgumentException("raft.read.mode: '" + value + "' (expected: lease or readindex)");
    }

    /** {@code host:port,host:port}: the meta service replicas; empty when not set. */
    static List<String> parseMetaAddresses(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return List.of();
        }
        for (String a : value.split(",")) {
            a = a.trim();
            if (a.isEmpty()) {
                continue;
            }
            int colon = a.lastIndexOf(':');
            if (colon <= 0 || colon == a.length() - 1 || !a.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("meta.address: '" + a + "' (expected: host:port[,host:port...])");
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    /** True when the node takes its groups from the meta service ({@code meta.address} set). */
    public boolean metaMode() {
        return !metaAddresses.isEmpty();
    }

    /** This node as the others reach it (its {@code peers} entry, or {@code host} and its ports). */
    public Peer self() {
        return peers.get(nodeId);
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
