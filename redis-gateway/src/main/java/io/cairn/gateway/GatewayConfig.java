package io.cairn.gateway;

import io.cairn.gateway.resp.RespLimits;
import io.cairn.gateway.route.RouteConfig;
import java.util.Objects;

/**
 * What a gateway process needs to start serving clients.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one ({@link GatewayServer#port()} reports it)
 * @param requirepass the default user's password (Redis {@code requirepass}); null or empty means
 *     no password: every connection starts authenticated
 * @param limits limits on client input enforced by the request decoder
 * @param route how data commands are routed to the stores (time-out, batching)
 */
public record GatewayConfig(String host, int port, String requirepass, RespLimits limits,
    RouteConfig route) {

  public GatewayConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(route, "route");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (requirepass != null && requirepass.isEmpty()) {
      requirepass = null;
    }
  }

  /** With the default routing settings ({@link RouteConfig#DEFAULTS}). */
  public GatewayConfig(String host, int port, String requirepass, RespLimits limits) {
    this(host, port, requirepass, limits, RouteConfig.DEFAULTS);
  }

  /** Loopback, the given port, no password, Redis's default limits. */
  public static GatewayConfig loopback(int port) {
    return new GatewayConfig("127.0.0.1", port, null, RespLimits.REDIS_DEFAULTS);
  }

  public GatewayConfig withRequirepass(String password) {
    return new GatewayConfig(host, port, password, limits, route);
  }

  public GatewayConfig withRoute(RouteConfig newRoute) {
    return new GatewayConfig(host, port, requirepass, limits, newRoute);
  }
}
