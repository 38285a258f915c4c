package io.cairn.gateway;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The operational side of one gateway: the live clients, the slow log, the metrics, the settings
 * CONFIG SET may change at run time, and what INFO reports about the process. One per
 * {@link GatewayServer}; thread-safe.
 *
 * <p>Hooks for the routing layer: {@link #commandCompleted} (metrics + slow log, call it when a
 * routed command's reply is ready, from any thread) and {@link #setKeyspace} (INFO keyspace).
 */
public final class GatewayOps {

  private final GatewayConfig config;
  private final ClientRegistry clients = new ClientRegistry();
  private final SlowLog slowLog;
  private final GatewayMetrics metrics;
  private volatile int maxclients;
  private final long startMillis = System.currentTimeMillis();
  /** Redis's run_id: 40 random hex characters per process start. */
  private final String runId = randomHex(20);
  private final String replId = randomHex(20);
  private volatile IntSupplier port;
  private volatile Supplier<Keyspace> keyspace;
  private volatile boolean epoll;

  GatewayOps(GatewayConfig config) {
    this.config = config;
    this.slowLog = new SlowLog(config.slowlogLogSlowerThanMicros(), config.slowlogMaxLen());
    this.metrics = new GatewayMetrics(clients::size);
    this.maxclients = config.maxclients();
    this.port = config::port;
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  public SlowLog slowLog() {
    return slowLog;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /**
   * INFO keyspace's {@code db0} line: {@code keys} live keys, {@code expires} of them with a TTL.
   *
   * @param keys    live keys; 0 = no db0 line (as Redis, for an empty database)
   * @param expires keys with a TTL
   */
  public record Keyspace(long keys, long expires) {
  }

  /**
   * Where INFO keyspace's {@code db0:keys=N,expires=E} comes from ({@link GatewayServer} sets
   * it to the group sizes of its {@code ClusterView}). Must be cheap: it runs on an event loop.
   * Unset or null: no db0 line.
   */
  public void setKeyspace(Supplier<Keyspace> source) {
    this.keyspace = source;
  }

  /**
   * A command finished: counts it in the metrics (per command, latency, error type) and offers
   * it to the slow log. For commands the gateway runs itself {@link ClientConnection} calls it;
   * routed commands call it when the reply arrives. Thread-safe.
   */
  void commandCompleted(ConnectionState conn, byte[][] argv, Reply reply, long durationNanos) {
    Boolean hit = reply instanceof Reply.Bulk ? Boolean.TRUE
        : reply instanceof Reply.Nil ? Boolean.FALSE : null;
    completed(conn, argv, reply instanceof Reply.Err e ? e.text() : null, hit, durationNanos);
  }

  /** The same for a routed command, whose reply is the store's RESP encoding. */
  void commandCompleted(ConnectionState conn, byte[][] argv, byte[] resp, long durationNanos) {
    String error = null;
    Boolean hit = null;
    if (resp.length > 1) {
      switch (resp[0]) {
        case '-' -> {
          int end = 1;
          while (end < resp.length && resp[end] != '\r') {
            end++;
          }
          error = new String(resp, 1, end - 1, StandardCharsets.UTF_8);
        }
        case '$' -> hit = resp[1] != '-';
        case '_' -> hit = Boolean.FALSE;
        default -> { }
      }
    }
    completed(conn, argv, error, hit, durationNanos);
  }

  private void completed(ConnectionState conn, byte[][] argv, String error, Boolean hit,
      long durationNanos) {
    String name = new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    metrics.commandCompleted(name, durationNanos, error);
    if (hit != null && KEY_READS.contains(name)) {
      if (hit) {
        metrics.keyspaceHit();
      } else {
        metrics.keyspaceMiss();
      }
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(durationNanos);
    if (slowLog.slowerThanMicros() >= 0 && micros >= slowLog.slowerThanMicros()) {
      ClientRegistry.Client c = clients.get(conn.id);
      slowLog.record(argv, micros, c == null ? "" : c.addr(), conn.name);
    }
  }

  /** Commands whose bulk / nil reply tells a keyspace hit / miss (INFO keyspace_hits). */
  private static final Set<String> KEY_READS = Set.of("get", "getex", "getdel");

  ClientRegistry clients() {
    return clients;
  }

  GatewayConfig config() {
    return config;
  }

  int maxclients() {
    return maxclients;
  }

  void setMaxclients(int n) {
    this.maxclients = n;
  }

  long startMillis() {
    return startMillis;
  }

  String runId() {
    return runId;
  }

  String replId() {
    return replId;
  }

  int port() {
    return port.getAsInt();
  }

  void setPort(IntSupplier p) {
    this.port = p;
  }

  boolean epoll() {
    return epoll;
  }

  void setEpoll(boolean e) {
    this.epoll = e;
  }

  /** What INFO keyspace reports; null when no source is set or it knows nothing. */
  Keyspace keyspace() {
    Supplier<Keyspace> k = keyspace;
    return k == null ? null : k.get();
  }
}
