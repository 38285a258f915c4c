package io.cairn.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The gateway's Micrometer meters, in one {@link PrometheusMeterRegistry}; the Prometheus
 * endpoint and INFO both read these same meters.
 *
 * <p>Meters (Prometheus names): {@code cairn_gateway_commands_total{command}} and
 * {@code cairn_gateway_command_latency_seconds{command}} (a timer: count, sum, max) per command,
 * the tag being the lowercased command name when the gateway knows it, else {@code other}, so a
 * client cannot grow the tag set; {@code cairn_gateway_command_failures_total{command}} (replies
 * that were errors); {@code cairn_gateway_errors_total{type}} by the error's first word (ERR,
 * WRONGTYPE, ...; at most {@value #MAX_ERROR_TYPES} types, then {@code other});
 * {@code cairn_gateway_connections} (gauge), {@code cairn_gateway_connections_received_total},
 * {@code cairn_gateway_connections_rejected_total}, {@code
 * cairn_gateway_output_buffer_disconnects_total}, {@code cairn_gateway_keyspace_hits_total},
 * {@code cairn_gateway_keyspace_misses_total}.
 *
 * <p>CONFIG RESETSTAT cannot reset Prometheus counters (they must only grow), so it records a
 * baseline and INFO shows the counts since then.
 */
public final class GatewayMetrics {

  /** Redis's errorstats cap ({@code ERROR_STATS_NUMBER}). */
  static final int MAX_ERROR_TYPES = 128;
  static final String OTHER = "other";

  /** The meters of one command name. */
  record CommandMeters(Counter calls, Timer latency, Counter failures) {
  }

  private final PrometheusMeterRegistry registry;
  private final ConcurrentMap<String, CommandMeters> commands = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
  private volatile Set<String> knownCommands = Set.of();
  private final Counter connectionsReceived;
  private final Counter connectionsRejected;
  private final Counter outputBufferDisconnects;
  private final Counter keyspaceHits;
  private final Counter keyspaceMisses;
  /** Values at the last CONFIG RESETSTAT, by meter key; INFO subtracts them. */
  private final ConcurrentMap<String, Double> baseline = new ConcurrentHashMap<>();

  /** Redis's {@code STATS_METRIC_SAMPLES} ring for instantaneous_ops_per_sec. */
  private final long[] opsSamples = new long[16];
  private int opsSampleIdx;
  private long lastSampleMillis;
  private long lastSampleCount;

  GatewayMetrics(IntSupplier connections) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Strong reference: Micrometer holds gauge state weakly, and the supplier is a lambda.
    Gauge.builder("cairn.gateway.connections", connections, s -> s.getAsInt())
        .strongReference(true).description("Connected clients").register(registry);
    connectionsReceived = Counter.builder("cairn.gateway.connections.received")
        .description("Connections accepted, rejected ones included").register(registry);
    connectionsRejected = Counter.builder("cairn.gateway.connections.rejected")
        .description("Connections refused because of maxclients").register(registry);
    outputBufferDisconnects = Counter.builder("cairn.gateway.output.buffer.disconnects")
        .description("Clients closed for exceeding the output buffer limit").register(registry);
    keyspaceHits = Counter.builder("cairn.gateway.keyspace.hits")
        .description("Key reads that found the key").register(registry);
    keyspaceMisses = Counter.builder("cairn.gateway.keyspace.misses")
        .description("Key reads that did not find the key").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The command names that get their own tag; any other name is counted as {@code other}. */
  void setKnownCommands(Set<String> names) {
    this.knownCommands = Set.copyOf(names);
  }

  /** Counts a completed command; {@code errorText} the error reply's text, or null. */
  void commandCompleted(String lowerName, long durationNanos, String errorText) {
    CommandMeters m = meters(lowerName);
    m.calls().increment();
    m.latency().record(durationNanos, TimeUnit.NANOSECONDS);
    if (errorText != null) {
      m.failures().increment();
      error(errorText);
    }
  }

  /** Counts an error reply that is not a command's (a protocol error). */
  void error(String errorText) {
    int sp = errorText.indexOf(' ');
    String type = sp < 0 ? errorText : errorText.substring(0, sp);
    Counter c = errors.get(type);
    if (c == null) {
      if (errors.size() >= MAX_ERROR_TYPES) {
        type = OTHER;
      }
      c = errors.computeIfAbsent(type, t -> Counter.builder("cairn.gateway.errors").tag("type", t)
          .description("Error replies by their first word").register(registry));
    }
    c.increment();
  }

  private CommandMeters meters(String lowerName) {
    String tag = knownCommands.contains(lowerName) ? lowerName : OTHER;
    return commands.computeIfAbsent(tag, t -> new CommandMeters(
        Counter.builder("cairn.gateway.commands").tag("command", t)
            .description("Commands completed").register(registry),
        Timer.builder("cairn.gateway.command.latency").tag("command", t)
            .description("Time from request to reply").register(registry),
        Counter.builder("cairn.gateway.command.failures").tag("command", t)
            .description("Commands answered with an error").register(registry)));
  }

  void connectionReceived() {
    connectionsReceived.increment();
  }

  /** Not an error reply in errorstats: Redis writes that error straight to the socket too. */
  void connectionRejected() {
    connectionsRejected.increment();
  }

  void outputBufferDisconnect() {
    outputBufferDisconnects.increment();
  }

  void keyspaceHit() {
    keyspaceHits.increment();
  }

  void keyspaceMiss() {
    keyspaceMisses.increment();
  }

  // --- INFO's view: counts since the last CONFIG RESETSTAT ---

  private long since(String key, double now) {
    return Math.round(now - baseline.getOrDefault(key, 0.0));
  }

  long totalConnectionsReceived() {
    return since("received", connectionsReceived.count());
  }

  long rejectedConnections() {
    return since("rejected", connectionsRejected.count());
  }

  long keyspaceHits() {
    return since("hits", keyspaceHits.count());
  }

  long keyspaceMisses() {
    return since("misses", keyspaceMisses.count());
  }

  long totalCommandsProcessed() {
    long sum = 0;
    for (Map.Entry<String, CommandMeters> e : commands.entrySet()) {
      sum += since("calls:" + e.getKey(), e.getValue().calls().count());
    }
    return sum;
  }

  long totalErrorReplies() {
    long sum = 0;
    for (Map.Entry<String, Counter> e : errors.entrySet()) {
      sum += since("error:" + e.getKey(), e.getValue().count());
    }
    return sum;
  }

  /** Per command since RESETSTAT: calls, total µs, failed calls; commands with calls only. */
  record CommandStat(long calls, long micros, long failed) {
  }

  Map<String, CommandStat> commandStats() {
    Map<String, CommandStat> out = new TreeMap<>();
    for (Map.Entry<String, CommandMeters> e : commands.entrySet()) {
      String k = e.getKey();
      CommandMeters m = e.getValue();
      long calls = since("calls:" + k, m.calls().count());
      if (calls > 0) {
        out.put(k, new CommandStat(calls,
            since("usec:" + k, m.latency().totalTime(TimeUnit.MICROSECONDS)),
            since("failed:" + k, m.failures().count())));
      }
    }
    return out;
  }

  /** Error counts by type since RESETSTAT, types with a count only. */
  Map<String, Long> errorStats() {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, Counter> e : errors.entrySet()) {
      long n = since("error:" + e.getKey(), e.getValue().count());
      if (n > 0) {
        out.put(e.getKey(), n);
      }
    }
    return out;
  }

  /** CONFIG RESETSTAT: INFO's counts start again from 0; the meters themselves keep growing. */
  void resetStats() {
    baseline.put("received", connectionsReceived.count());
    baseline.put("rejected", connectionsRejected.count());
    baseline.put("hits", keyspaceHits.count());
    baseline.put("misses", keyspaceMisses.count());
    for (Map.Entry<String, CommandMeters> e : commands.entrySet()) {
      baseline.put("calls:" + e.getKey(), e.getValue().calls().count());
      baseline.put("usec:" + e.getKey(),
          e.getValue().latency().totalTime(TimeUnit.MICROSECONDS));
      baseline.put("failed:" + e.getKey(), e.getValue().failures().count());
    }
    for (Map.Entry<String, Counter> e : errors.entrySet()) {
      baseline.put("error:" + e.getKey(), e.getValue().count());
    }
  }

  /**
   * Takes an ops/s sample (Redis's {@code trackInstantaneousMetric}); called every 100 ms from one
   * timer thread.
   */
  synchronized void sampleOps() {
    long now = System.currentTimeMillis();
    long total = totalCommandsProcessed();
    if (lastSampleMillis != 0 && now > lastSampleMillis) {
      // After CONFIG RESETSTAT the total drops: that sample is 0, not negative.
      opsSamples[opsSampleIdx] = Math.max(0, (total - lastSampleCount) * 1000 / (now - lastSampleMillis));
      opsSampleIdx = (opsSampleIdx + 1) % opsSamples.length;
    }
    lastSampleMillis = now;
    lastSampleCount = total;
  }

  /** The mean of the last 16 samples, as Redis's {@code getInstantaneousMetric}. */
  synchronized long instantaneousOpsPerSec() {
    long sum = 0;
    for (long s : opsSamples) {
      sum += s;
    }
    return sum / opsSamples.length;
  }
}
