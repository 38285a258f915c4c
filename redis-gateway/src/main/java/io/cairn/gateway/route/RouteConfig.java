package io.cairn.gateway.route;

/**
 * How the gateway routes data commands to the stores (config keys in docs/gateway.md).
 *
 * @param timeoutMillis {@code route.timeout.ms}: how long a command may be retried (NOT_LEADER,
 *     WRONG_GROUP, store errors, unreachable stores) before the client gets {@code -TRYAGAIN} or
 *     {@code -CLUSTERDOWN}; counted from its first failed attempt (time spent in a call that a
 *     store is working on does not count), and counted again from 0 when an attempt makes
 *     progress (some of the commands sent with it are answered)
 * @param maxCommandsPerCall {@code route.max.commands.per.call}: most commands in one
 *     {@code Execute} call to a store
 * @param maxBytesPerCall {@code route.max.bytes.per.call}: most argument bytes in one call (a
 *     single larger command still goes, alone)
 * @param maxCallsPerStore {@code route.max.calls.per.store}: most {@code Execute} calls in flight
 *     to one store; while they are all busy, commands queue and the next call takes them all
 * @param callTimeoutMillis {@code route.call.timeout.ms}: the gRPC deadline of one
 *     {@code Execute} call. Only a safety net for a store that stopped answering without closing
 *     the connection: a store answers a command it cannot finish itself (its
 *     {@code request.timeout.ms} when the group applies nothing), and a call a store is working
 *     on is not cut at {@code route.timeout.ms}
 * @param keepAliveMillis {@code route.keepalive.ms}: while calls are out on a store's
 *     connection, a ping (HTTP/2) after this long without anything read, so a store whose machine
 *     vanished without closing the connection (power off, a cut network) fails those calls within
 *     about this plus the timeout below, and they are retried elsewhere, instead of waiting out
 *     {@code route.call.timeout.ms}. A store that is only slow answers pings. gRPC raises values
 *     under 10 s to 10 s; the stores accept pings every 5 s
 * @param keepAliveTimeoutMillis {@code route.keepalive.timeout.ms}: how long a ping may go
 *     unanswered before the connection counts as dead
 */
public record RouteConfig(long timeoutMillis, int maxCommandsPerCall, long maxBytesPerCall,
    int maxCallsPerStore, long callTimeoutMillis, long keepAliveMillis,
    long keepAliveTimeoutMillis) {

  private static final long DEFAULT_CALL_TIMEOUT_MILLIS = 60_000;
  private static final long DEFAULT_KEEPALIVE_MILLIS = 10_000;
  private static final long DEFAULT_KEEPALIVE_TIMEOUT_MILLIS = 5_000;

  public static final RouteConfig DEFAULTS =
      new RouteConfig(5000, 512, 4L << 20, 3, DEFAULT_CALL_TIMEOUT_MILLIS);

  /** {@code route.call.timeout.ms} and the keep-alive settings at their defaults. */
  public RouteConfig(long timeoutMillis, int maxCommandsPerCall, long maxBytesPerCall,
      int maxCallsPerStore) {
    this(timeoutMillis, maxCommandsPerCall, maxBytesPerCall, maxCallsPerStore,
        DEFAULT_CALL_TIMEOUT_MILLIS);
  }

  /** The keep-alive settings at their defaults. */
  public RouteConfig(long timeoutMillis, int maxCommandsPerCall, long maxBytesPerCall,
      int maxCallsPerStore, long callTimeoutMillis) {
    this(timeoutMillis, maxCommandsPerCall, maxBytesPerCall, maxCallsPerStore, callTimeoutMillis,
        DEFAULT_KEEPALIVE_MILLIS, DEFAULT_KEEPALIVE_TIMEOUT_MILLIS);
  }

  public RouteConfig {
    positive("route.timeout.ms", timeoutMillis);
    positive("route.max.commands.per.call", maxCommandsPerCall);
    positive("route.max.bytes.per.call", maxBytesPerCall);
    positive("route.max.calls.per.store", maxCallsPerStore);
    positive("route.call.timeout.ms", callTimeoutMillis);
    positive("route.keepalive.ms", keepAliveMillis);
    positive("route.keepalive.timeout.ms", keepAliveTimeoutMillis);
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
    }
  }

  /**
   * Reads {@code route.timeout.ms}, {@code route.max.commands.per.call},
   * {@code route.max.bytes.per.call}, {@code route.max.calls.per.store},
   * {@code route.call.timeout.ms}, {@code route.keepalive.ms} and
   * {@code route.keepalive.timeout.ms}; missing keys take
   * their {@link #DEFAULTS}. Other keys are ignored (they belong to other parts of the config).
   */
  public static RouteConfig from(java.util.Properties p) {
    return new RouteConfig(
        number(p, "route.timeout.ms", DEFAULTS.timeoutMillis),
        (int) number(p, "route.max.commands.per.call", DEFAULTS.maxCommandsPerCall),
        number(p, "route.max.bytes.per.call", DEFAULTS.maxBytesPerCall),
        (int) number(p, "route.max.calls.per.store", DEFAULTS.maxCallsPerStore),
        number(p, "route.call.timeout.ms", DEFAULTS.callTimeoutMillis),
        number(p, "route.keepalive.ms", DEFAULTS.keepAliveMillis),
        number(p, "route.keepalive.timeout.ms", DEFAULTS.keepAliveTimeoutMillis));
  }

  private static long number(java.util.Properties p, String key, long dflt) {
    String v = p.getProperty(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + v + "' (expected: a number)");
    }
  }

  public RouteConfig withTimeoutMillis(long millis) {
    return new RouteConfig(millis, maxCommandsPerCall, maxBytesPerCall, maxCallsPerStore,
        callTimeoutMillis, keepAliveMillis, keepAliveTimeoutMillis);
  }

  public RouteConfig withCallTimeoutMillis(long millis) {
    return new RouteConfig(timeoutMillis, maxCommandsPerCall, maxBytesPerCall, maxCallsPerStore,
        millis, keepAliveMillis, keepAliveTimeoutMillis);
  }

  public RouteConfig withKeepAlive(long millis, long timeoutMillis) {
    return new RouteConfig(this.timeoutMillis, maxCommandsPerCall, maxBytesPerCall,
        maxCallsPerStore, callTimeoutMillis, millis, timeoutMillis);
  }
}
