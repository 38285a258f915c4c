package io.cairn.gateway;

import io.cairn.gateway.resp.RespLimits;
import io.cairn.gateway.route.RouteConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * What a gateway process needs to start serving clients, read from a {@code key=value} file
 * ({@link #load}, java.util.Properties syntax). Every key and its default is documented in
 * docs/gateway.md; unknown keys are refused, so a typo does not silently fall back to a default.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one ({@link GatewayServer#port()} reports it)
 * @param requirepass the default user's password (Redis {@code requirepass}); null or empty means
 *     no password: every connection starts authenticated
 * @param limits limits on client input enforced by the request decoder
 * @param maxclients most connected clients; one more is told {@code -ERR max number of clients
 *     reached} and closed (Redis {@code maxclients}, default 10000)
 * @param outputBufferLimitBytes a client whose replies waiting to be written exceed this many
 *     bytes is disconnected (Redis's {@code client-output-buffer-limit normal} hard limit); 0: no
 *     limit
 * @param slowlogLogSlowerThanMicros commands taking at least this long (µs) enter the slow log;
 *     0 logs every command, negative disables it (Redis {@code slowlog-log-slower-than})
 * @param slowlogMaxLen entries the slow log keeps (Redis {@code slowlog-max-len})
 * @param metricsPort port of the Prometheus endpoint {@code http://host:port/metrics}; 0: off
 */
public record GatewayConfig(String host, int port, String requirepass, RespLimits limits,
    int maxclients, long outputBufferLimitBytes, long slowlogLogSlowerThanMicros,
    int slowlogMaxLen, int metricsPort, RouteConfig route) {

  public static final int DEFAULT_PORT = 6379;
  public static final int DEFAULT_MAXCLIENTS = 10000;
  public static final long DEFAULT_OUTPUT_BUFFER_LIMIT_BYTES = 1L << 30;
  public static final long DEFAULT_SLOWLOG_LOG_SLOWER_THAN_MICROS = 10_000;
  public static final int DEFAULT_SLOWLOG_MAX_LEN = 128;

  /** Every key {@link #from} accepts. Routing keys (meta.address, route.*) join here. */
  static final Set<String> KEYS = Set.of("host", "port", "requirepass", "maxclients",
      "proto.max.bulk.len", "proto.max.multibulk.len", "proto.inline.max.size",
      "client.output.buffer.limit.bytes", "slowlog.log.slower.than", "slowlog.max.len",
      "metrics.port", "route.timeout.ms", "route.max.commands.per.call", "route.max.bytes.per.call",
      "route.max.calls.per.store", "route.call.timeout.ms", "route.keepalive.ms",
      "route.keepalive.timeout.ms");

  public GatewayConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(route, "route");
    checkPort("port", port);
    checkPort("metricsPort", metricsPort);
    if (requirepass != null && requirepass.isEmpty()) {
      requirepass = null;
    }
    if (maxclients < 1) {
      throw new IllegalArgumentException("maxclients: " + maxclients + " (expected: >= 1)");
    }
    if (outputBufferLimitBytes < 0) {
      throw new IllegalArgumentException(
          "outputBufferLimitBytes: " + outputBufferLimitBytes + " (expected: >= 0)");
    }
    if (slowlogMaxLen < 0) {
      throw new IllegalArgumentException("slowlogMaxLen: " + slowlogMaxLen + " (expected: >= 0)");
    }
  }

  /** The 4 settings of the first gateway; the rest at their defaults (metrics off). */
  public GatewayConfig(String host, int port, String requirepass, RespLimits limits) {
    this(host, port, requirepass, limits, DEFAULT_MAXCLIENTS, DEFAULT_OUTPUT_BUFFER_LIMIT_BYTES,
        DEFAULT_SLOWLOG_LOG_SLOWER_THAN_MICROS, DEFAULT_SLOWLOG_MAX_LEN, 0, RouteConfig.DEFAULTS);
  }

  /** Loopback, the given port, no password, every other setting at its default. */
  public static GatewayConfig loopback(int port) {
    return new GatewayConfig("127.0.0.1", port, null, RespLimits.REDIS_DEFAULTS);
  }

  /** Reads a config file; see {@link #from}. */
  public static GatewayConfig load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read gateway config " + file, e);
    }
    return from(p);
  }

  /** The config of these properties; absent keys take their defaults, unknown keys are refused. */
  public static GatewayConfig from(Properties p) {
    for (String k : p.stringPropertyNames()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown config key '" + k + "' (see docs/gateway.md)");
      }
    }
    String host = p.getProperty("host", "").trim();
    RespLimits limits = new RespLimits(
        number(p, "proto.max.bulk.len", RespLimits.REDIS_MAX_BULK_LENGTH, 0,
            RespLimits.MAX_JAVA_ARRAY_LENGTH),
        (int) number(p, "proto.max.multibulk.len", RespLimits.REDIS_MAX_MULTIBULK_LENGTH, 1,
            Integer.MAX_VALUE),
        (int) number(p, "proto.inline.max.size", RespLimits.REDIS_MAX_INLINE_LENGTH, 64,
            Integer.MAX_VALUE - 2));
    return new GatewayConfig(host.isEmpty() ? "127.0.0.1" : host,
        (int) number(p, "port", DEFAULT_PORT, 0, 65535),
        p.getProperty("requirepass"),
        limits,
        (int) number(p, "maxclients", DEFAULT_MAXCLIENTS, 1, Integer.MAX_VALUE),
        number(p, "client.output.buffer.limit.bytes", DEFAULT_OUTPUT_BUFFER_LIMIT_BYTES, 0,
            Long.MAX_VALUE),
        number(p, "slowlog.log.slower.than", DEFAULT_SLOWLOG_LOG_SLOWER_THAN_MICROS,
            Long.MIN_VALUE, Long.MAX_VALUE),
        (int) number(p, "slowlog.max.len", DEFAULT_SLOWLOG_MAX_LEN, 0, Integer.MAX_VALUE),
        (int) number(p, "metrics.port", 0, 0, 65535),
        RouteConfig.from(p));
  }

  private static long number(Properties p, String key, long dflt, long min, long max) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("config key '" + key + "': '" + v + "' is not a number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          "config key '" + key + "': " + n + " (expected: " + min + ".." + max + ")");
    }
    return n;
  }

  private static void checkPort(String what, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(what + ": " + port + " (expected: 0..65535)");
    }
  }

  public GatewayConfig withRequirepass(String password) {
    return new GatewayConfig(host, port, password, limits, maxclients, outputBufferLimitBytes,
        slowlogLogSlowerThanMicros, slowlogMaxLen, metricsPort, route);
  }

  public GatewayConfig withLimits(RespLimits newLimits) {
    return new GatewayConfig(host, port, requirepass, newLimits, maxclients,
        outputBufferLimitBytes, slowlogLogSlowerThanMicros, slowlogMaxLen, metricsPort, route);
  }

  public GatewayConfig withMaxclients(int n) {
    return new GatewayConfig(host, port, requirepass, limits, n, outputBufferLimitBytes,
        slowlogLogSlowerThanMicros, slowlogMaxLen, metricsPort, route);
  }

  public GatewayConfig withOutputBufferLimitBytes(long bytes) {
    return new GatewayConfig(host, port, requirepass, limits, maxclients, bytes,
        slowlogLogSlowerThanMicros, slowlogMaxLen, metricsPort, route);
  }

  public GatewayConfig withSlowlog(long slowerThanMicros, int maxLen) {
    return new GatewayConfig(host, port, requirepass, limits, maxclients, outputBufferLimitBytes,
        slowerThanMicros, maxLen, metricsPort, route);
  }

  public GatewayConfig withMetricsPort(int newMetricsPort) {
    return new GatewayConfig(host, port, requirepass, limits, maxclients, outputBufferLimitBytes,
        slowlogLogSlowerThanMicros, slowlogMaxLen, newMetricsPort, route);
  }

  public GatewayConfig withRoute(RouteConfig newRoute) {
    return new GatewayConfig(host, port, requirepass, limits, maxclients, outputBufferLimitBytes,
        slowlogLogSlowerThanMicros, slowlogMaxLen, metricsPort, newRoute);
  }
}
