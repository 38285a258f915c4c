package io.cairn.gateway.route;

/**
 * How the gateway routes data commands to the stores (config keys in docs/gateway.md).
 *
 * @param timeoutMillis {@code route.timeout.ms}: how long a command may be retried (NOT_LEADER,
 *     WRONG_GROUP, store errors, unreachable stores) before the client gets {@code -TRYAGAIN} or
 *     {@code -CLUSTERDOWN}; counted from the command's arrival
 * @param maxCommandsPerCall {@code route.max.commands.per.call}: most commands in one
 *     {@code Execute} call to a store
 * @param maxBytesPerCall {@code route.max.bytes.per.call}: most argument bytes in one call (a
 *     single larger command still goes, alone)
 * @param maxCallsPerStore {@code route.max.calls.per.store}: most {@code Execute} calls in flight
 *     to one store; while they are all busy, commands queue and the next call takes them all
 */
public record RouteConfig(long timeoutMillis, int maxCommandsPerCall, long maxBytesPerCall,
    int maxCallsPerStore) {

  public static final RouteConfig DEFAULTS = new RouteConfig(5000, 512, 4L << 20, 3);

  public RouteConfig {
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("route.timeout.ms: " + timeoutMillis + " (expected: > 0)");
    }
    if (maxCommandsPerCall <= 0) {
      throw new IllegalArgumentException(
          "route.max.commands.per.call: " + maxCommandsPerCall + " (expected: > 0)");
    }
    if (maxBytesPerCall <= 0) {
      throw new IllegalArgumentException(
          "route.max.bytes.per.call: " + maxBytesPerCall + " (expected: > 0)");
    }
    if (maxCallsPerStore <= 0) {
      throw new IllegalArgumentException(
          "route.max.calls.per.store: " + maxCallsPerStore + " (expected: > 0)");
    }
  }

  /**
   * Reads {@code route.timeout.ms}, {@code route.max.commands.per.call},
   * {@code route.max.bytes.per.call} and {@code route.max.calls.per.store}; missing keys take
   * their {@link #DEFAULTS}. Other keys are ignored (they belong to other parts of the config).
   */
  public static RouteConfig from(java.util.Properties p) {
    return new RouteConfig(
        number(p, "route.timeout.ms", DEFAULTS.timeoutMillis),
        (int) number(p, "route.max.commands.per.call", DEFAULTS.maxCommandsPerCall),
        number(p, "route.max.bytes.per.call", DEFAULTS.maxBytesPerCall),
        (int) number(p, "route.max.calls.per.store", DEFAULTS.maxCallsPerStore));
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
    return new RouteConfig(millis, maxCommandsPerCall, maxBytesPerCall, maxCallsPerStore);
  }
}
