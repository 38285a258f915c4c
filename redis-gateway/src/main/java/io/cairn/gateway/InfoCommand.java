package io.cairn.gateway;

import io.cairn.store.types.Args;
import io.cairn.store.types.Reply;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * INFO [section ...] in Redis 7.0's format: {@code # Section\r\n} then {@code key:value\r\n}
 * lines, a blank line between sections, sections always in Redis's order whatever the order
 * asked; {@code default} (no argument), {@code all} and {@code everything} as Redis expands them;
 * unknown section names are ignored. A bulk string in RESP2, a {@code txt} verbatim string in
 * RESP3. Counters come from {@link GatewayMetrics}, the meters Prometheus scrapes.
 *
 * <p>Fields the gateway has no equivalent for (memory fragmentation, fork, AOF, replication
 * offsets) keep Redis's names with idle values, so clients that parse them keep working.
 */
final class InfoCommand {

  /** Every section in Redis's output order, and whether {@code default} includes it. */
  private static final List<String> ORDER = List.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "cluster",
      "keyspace");
  private static final Set<String> NOT_DEFAULT = Set.of("commandstats");

  /** The gateway's own version, from the jar manifest when there is one. */
  static final String CAIRN_VERSION = cairnVersion();

  private final GatewayOps ops;

  InfoCommand(GatewayOps ops) {
    this.ops = ops;
  }

  private static String cairnVersion() {
    String v = InfoCommand.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  Reply info(ConnectionState conn, byte[][] argv) {
    Set<String> wanted = new HashSet<>();
    if (argv.length == 1) {
      wanted.add("default");
    }
    for (int i = 1; i < argv.length; i++) {
      wanted.add(Args.str(argv[i]).toLowerCase(Locale.ROOT));
    }
    boolean all = wanted.contains("all") || wanted.contains("everything");
    boolean dflt = wanted.contains("default");
    StringBuilder sb = new StringBuilder();
    for (String section : ORDER) {
      if (all || wanted.contains(section) || (dflt && !NOT_DEFAULT.contains(section))) {
        if (sb.length() > 0) {
          sb.append("\r\n");
        }
        section(sb, section);
      }
    }
    return Reply.Verbatim.txt(sb.toString());
  }

  /** The text of one section, for INFO and for tests. */
  String render(String section) {
    StringBuilder sb = new StringBuilder();
    section(sb, section);
    return sb.toString();
  }

  private void section(StringBuilder sb, String name) {
    switch (name) {
      case "server" -> server(sb);
      case "clients" -> clients(sb);
      case "memory" -> memory(sb);
      case "persistence" -> persistence(sb);
      case "stats" -> stats(sb);
      case "replication" -> replication(sb);
      case "cpu" -> cpu(sb);
      case "modules" -> sb.append("# Modules\r\n");
      case "commandstats" -> commandstats(sb);
      case "errorstats" -> errorstats(sb);
      case "cluster" -> sb.append("# Cluster\r\n").append("cluster_enabled:0\r\n");
      case "keyspace" -> keyspace(sb);
      default -> throw new IllegalArgumentException(name);
    }
  }

  private static void kv(StringBuilder sb, String key, Object value) {
    sb.append(key).append(':').append(value).append("\r\n");
  }

  private void server(StringBuilder sb) {
    long nowMillis = System.currentTimeMillis();
    long uptime = (nowMillis - ops.startMillis()) / 1000;
    sb.append("# Server\r\n");
    kv(sb, "redis_version", GatewayCommands.REDIS_VERSION);
    kv(sb, "redis_git_sha1", "00000000");
    kv(sb, "redis_git_dirty", 0);
    kv(sb, "redis_build_id", "0");
    // Standalone, not cluster: the gateway hides the shards, clients must not switch to cluster.
    kv(sb, "redis_mode", "standalone");
    kv(sb, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    kv(sb, "arch_bits", System.getProperty("os.arch").contains("64") ? 64 : 32);
    kv(sb, "monotonic_clock", "JVM System.nanoTime");
    kv(sb, "multiplexing_api", ops.epoll() ? "epoll" : "nio");
    kv(sb, "atomicvar_api", "java");
    kv(sb, "gcc_version", "0.0.0");
    kv(sb, "process_id", ProcessHandle.current().pid());
    kv(sb, "process_supervised", "no");
    kv(sb, "run_id", ops.runId());
    kv(sb, "tcp_port", ops.port());
    kv(sb, "server_time_usec", nowMillis * 1000);
    kv(sb, "uptime_in_seconds", uptime);
    kv(sb, "uptime_in_days", uptime / 86400);
    kv(sb, "hz", 10);
    kv(sb, "configured_hz", 10);
    kv(sb, "lru_clock", (nowMillis / 1000) & ((1 << 24) - 1));
    kv(sb, "executable", "");
    kv(sb, "config_file", "");
    kv(sb, "io_threads_active", 0);
    kv(sb, "cairn_version", CAIRN_VERSION);
  }

  private void clients(StringBuilder sb) {
    sb.append("# Clients\r\n");
    kv(sb, "connected_clients", ops.clients().size());
    kv(sb, "cluster_connections", 0);
    kv(sb, "maxclients", ops.maxclients());
    kv(sb, "client_recent_max_input_buffer", 0);
    kv(sb, "client_recent_max_output_buffer", 0);
    kv(sb, "blocked_clients", 0);
    kv(sb, "tracking_clients", 0);
    kv(sb, "clients_in_timeout_table", 0);
  }

  /** The JVM heap stands in for Redis's allocator figures. */
  private void memory(StringBuilder sb) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    sb.append("# Memory\r\n");
    kv(sb, "used_memory", heap.getUsed());
    kv(sb, "used_memory_human", human(heap.getUsed()));
    kv(sb, "used_memory_rss", heap.getCommitted());
    kv(sb, "used_memory_rss_human", human(heap.getCommitted()));
    kv(sb, "maxmemory", 0);
    kv(sb, "maxmemory_human", "0B");
    kv(sb, "maxmemory_policy", "noeviction");
    kv(sb, "mem_allocator", "jvm");
  }

  /** Redis's {@code bytesToHuman}. */
  static String human(long n) {
    if (n < 1024) {
      return n + "B";
    }
    String[] units = {"K", "M", "G", "T", "P"};
    double d = n;
    int u = -1;
    while (d >= 1024 && u < units.length - 1) {
      d /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f%s", d, units[u]);
  }

  private void persistence(StringBuilder sb) {
    sb.append("# Persistence\r\n");
    kv(sb, "loading", 0);
    kv(sb, "async_loading", 0);
    kv(sb, "rdb_changes_since_last_save", 0);
    kv(sb, "rdb_bgsave_in_progress", 0);
    kv(sb, "rdb_last_save_time", ops.startMillis() / 1000);
    kv(sb, "rdb_last_bgsave_status", "ok");
    kv(sb, "aof_enabled", 0);
    kv(sb, "aof_rewrite_in_progress", 0);
    kv(sb, "aof_last_write_status", "ok");
  }

  private void stats(StringBuilder sb) {
    GatewayMetrics m = ops.metrics();
    sb.append("# Stats\r\n");
    kv(sb, "total_connections_received", m.totalConnectionsReceived());
    kv(sb, "total_commands_processed", m.totalCommandsProcessed());
    kv(sb, "instantaneous_ops_per_sec", m.instantaneousOpsPerSec());
    kv(sb, "total_net_input_bytes", 0);
    kv(sb, "total_net_output_bytes", 0);
    kv(sb, "instantaneous_input_kbps", "0.00");
    kv(sb, "instantaneous_output_kbps", "0.00");
    kv(sb, "rejected_connections", m.rejectedConnections());
    kv(sb, "sync_full", 0);
    kv(sb, "sync_partial_ok", 0);
    kv(sb, "sync_partial_err", 0);
    kv(sb, "expired_keys", 0);
    kv(sb, "expired_stale_perc", "0.00");
    kv(sb, "expired_time_cap_reached_count", 0);
    kv(sb, "evicted_keys", 0);
    kv(sb, "evicted_clients", 0);
    kv(sb, "keyspace_hits", m.keyspaceHits());
    kv(sb, "keyspace_misses", m.keyspaceMisses());
    kv(sb, "pubsub_channels", 0);
    kv(sb, "pubsub_patterns", 0);
    kv(sb, "pubsubshard_channels", 0);
    kv(sb, "latest_fork_usec", 0);
    kv(sb, "total_forks", 0);
    kv(sb, "migrate_cached_sockets", 0);
    kv(sb, "tracking_total_keys", 0);
    kv(sb, "unexpected_error_replies", 0);
    kv(sb, "total_error_replies", m.totalErrorReplies());
    kv(sb, "dump_payload_sanitizations", 0);
  }

  private void replication(StringBuilder sb) {
    sb.append("# Replication\r\n");
    kv(sb, "role", "master");
    kv(sb, "connected_slaves", 0);
    kv(sb, "master_failover_state", "no-failover");
    kv(sb, "master_replid", ops.replId());
    kv(sb, "master_replid2", "0000000000000000000000000000000000000000");
    kv(sb, "master_repl_offset", 0);
    kv(sb, "second_repl_offset", -1);
    kv(sb, "repl_backlog_active", 0);
    kv(sb, "repl_backlog_size", 1048576);
    kv(sb, "repl_backlog_first_byte_offset", 0);
    kv(sb, "repl_backlog_histlen", 0);
  }

  /** The process's CPU time (the JVM does not split user and system): all of it as user. */
  private void cpu(StringBuilder sb) {
    double user = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      user = os.getProcessCpuTime() / 1e9;
    }
    sb.append("# CPU\r\n");
    kv(sb, "used_cpu_sys", "0.000000");
    kv(sb, "used_cpu_user", String.format(Locale.ROOT, "%.6f", user));
    kv(sb, "used_cpu_sys_children", "0.000000");
    kv(sb, "used_cpu_user_children", "0.000000");
  }

  private void commandstats(StringBuilder sb) {
    sb.append("# Commandstats\r\n");
    for (Map.Entry<String, GatewayMetrics.CommandStat> e : ops.metrics().commandStats()
        .entrySet()) {
      GatewayMetrics.CommandStat s = e.getValue();
      sb.append("cmdstat_").append(e.getKey()).append(":calls=").append(s.calls())
          .append(",usec=").append(s.micros())
          .append(",usec_per_call=")
          .append(String.format(Locale.ROOT, "%.2f", (double) s.micros() / s.calls()))
          .append(",rejected_calls=0,failed_calls=").append(s.failed()).append("\r\n");
    }
  }

  private void errorstats(StringBuilder sb) {
    sb.append("# Errorstats\r\n");
    for (Map.Entry<String, Long> e : ops.metrics().errorStats().entrySet()) {
      sb.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue())
          .append("\r\n");
    }
  }

  /** Redis 7's db0 line; avg_ttl is always 0 (not measured); no line when there are no keys. */
  private void keyspace(StringBuilder sb) {
    sb.append("# Keyspace\r\n");
    GatewayOps.Keyspace k = ops.keyspace();
    if (k != null && k.keys() > 0) {
      sb.append("db0:keys=").append(k.keys()).append(",expires=").append(k.expires())
          .append(",avg_ttl=0\r\n");
    }
  }
}
