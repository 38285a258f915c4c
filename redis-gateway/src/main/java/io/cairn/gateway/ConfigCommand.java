package io.cairn.gateway;

import io.cairn.store.types.Args;
import io.cairn.store.types.Glob;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * CONFIG GET / SET / RESETSTAT with Redis 7.0's reply shapes and error texts.
 *
 * <p>GET answers Redis's parameter names (glob patterns, case-insensitive, each parameter once)
 * with the gateway's values: its own settings where it has them ({@code port}, {@code bind},
 * {@code requirepass}, {@code maxclients}, {@code proto-max-bulk-len},
 * {@code client-output-buffer-limit}, slow log), else what describes a cache without persistence
 * ({@code save ""}, {@code appendonly no}, {@code databases 1}). A map (flat array in RESP2).
 *
 * <p>SET changes {@code maxclients}, {@code slowlog-log-slower-than} and {@code slowlog-max-len}
 * at run time (not persisted); any other known parameter is {@code can't set immutable config},
 * an unknown one Redis's unknown-option error.
 */
final class ConfigCommand {

  private final GatewayOps ops;
  /** Parameter name to its current value, in the order CONFIG GET lists them. */
  private final Map<String, Supplier<String>> params = new LinkedHashMap<>();

  ConfigCommand(GatewayOps ops) {
    this.ops = ops;
    GatewayConfig c = ops.config();
    params.put("bind", c::host);
    params.put("port", () -> Integer.toString(ops.port()));
    params.put("requirepass", () -> c.requirepass() == null ? "" : c.requirepass());
    params.put("maxclients", () -> Integer.toString(ops.maxclients()));
    params.put("databases", () -> "1");
    params.put("timeout", () -> "0");
    params.put("tcp-keepalive", () -> "300");
    params.put("tcp-backlog", () -> "511");
    params.put("save", () -> "");
    params.put("appendonly", () -> "no");
    params.put("appendfsync", () -> "everysec");
    params.put("maxmemory", () -> "0");
    params.put("maxmemory-policy", () -> "noeviction");
    params.put("proto-max-bulk-len", () -> Long.toString(c.limits().maxBulkLength()));
    params.put("client-query-buffer-limit", () -> "1073741824");
    params.put("client-output-buffer-limit", () -> "normal " + c.outputBufferLimitBytes()
        + " 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    params.put("slowlog-log-slower-than", () -> Long.toString(ops.slowLog().slowerThanMicros()));
    params.put("slowlog-max-len", () -> Integer.toString(ops.slowLog().maxLen()));
    params.put("cluster-enabled", () -> "no");
    params.put("protected-mode", () -> "no");
    params.put("io-threads", () -> "1");
    params.put("hz", () -> "10");
    params.put("loglevel", () -> "notice");
    params.put("notify-keyspace-events", () -> "");
  }

  /** CONFIG GET pattern [pattern ...]. */
  Reply get(ConnectionState conn, byte[][] argv) {
    Set<String> matched = new LinkedHashSet<>();
    for (int i = 2; i < argv.length; i++) {
      byte[] pattern = Args.str(argv[i]).toLowerCase(Locale.ROOT)
          .getBytes(StandardCharsets.UTF_8);
      for (String name : params.keySet()) {
        if (Glob.match(pattern, name.getBytes(StandardCharsets.UTF_8))) {
          matched.add(name);
        }
      }
    }
    List<Reply> flat = new ArrayList<>(matched.size() * 2);
    for (String name : matched) {
      flat.add(Reply.bulk(name));
      flat.add(Reply.bulk(params.get(name).get()));
    }
    return new Reply.MapReply(flat);
  }

  /**
   * CONFIG SET name value [name value ...]: every pair is checked before any is applied, as
   * Redis 7 does.
   */
  Reply set(ConnectionState conn, byte[][] argv) {
    if (argv.length % 2 != 0) {
      return GatewayCommands.wrongArity("config|set");
    }
    List<Runnable> apply = new ArrayList<>();
    for (int i = 2; i < argv.length; i += 2) {
      String name = Args.str(argv[i]).toLowerCase(Locale.ROOT);
      byte[] value = argv[i + 1];
      if (!params.containsKey(name)) {
        return new Reply.Err("ERR Unknown option or number of arguments for CONFIG SET - '"
            + Args.str(argv[i]) + "'");
      }
      switch (name) {
        case "maxclients", "slowlog-log-slower-than", "slowlog-max-len" -> {
          if (!Args.isStrictLong(value)) {
            return failed(name, "argument couldn't be parsed into an integer");
          }
          long n = Args.parseLong(value);
          if (name.equals("slowlog-log-slower-than")) {
            if (n < -1) {
              return failed(name, "argument must be between -1 and 9223372036854775807 inclusive");
            }
            apply.add(() -> ops.slowLog().setSlowerThanMicros(n));
          } else if (name.equals("slowlog-max-len")) {
            if (n < 0 || n > Integer.MAX_VALUE) {
              return failed(name, "argument must be between 0 and 2147483647 inclusive");
            }
            apply.add(() -> ops.slowLog().setMaxLen((int) n));
          } else {
            if (n < 1 || n > Integer.MAX_VALUE) {
              return failed(name, "argument must be between 1 and 2147483647 inclusive");
            }
            apply.add(() -> ops.setMaxclients((int) n));
          }
        }
        default -> {
          return failed(name, "can't set immutable config");
        }
      }
    }
    apply.forEach(Runnable::run);
    return Reply.OK;
  }

  private static Reply failed(String name, String why) {
    return new Reply.Err("ERR CONFIG SET failed (possibly related to argument '" + name + "') - "
        + why);
  }

  /**
   * CONFIG RESETSTAT: INFO's stats, commandstats and errorstats start again from 0 (the
   * Prometheus counters do not, they only grow). The slow log is kept, as in Redis.
   */
  Reply resetstat(ConnectionState conn, byte[][] argv) {
    ops.metrics().resetStats();
    return Reply.OK;
  }
}
