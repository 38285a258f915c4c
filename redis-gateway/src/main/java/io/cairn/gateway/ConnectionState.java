package io.cairn.gateway;

import io.cairn.gateway.route.RouteSession;
import io.cairn.store.resp.RespEncoder;

/**
 * Per-connection state that connection commands read and change (Redis's {@code client}
 * struct, the part the gateway owns). Touched only from the connection's event loop.
 */
final class ConnectionState {
  final long id;
  /** {@link RespEncoder#RESP2} or {@link RespEncoder#RESP3}; HELLO switches it, RESET: 2. */
  int protocol = RespEncoder.RESP2;
  boolean authenticated;
  /** CLIENT SETNAME / HELLO SETNAME; null when unset. */
  String name;
  /** CLIENT SETINFO LIB-NAME / LIB-VER; null when unset. */
  String libName;
  String libVersion;
  /** Exactly-once session, per-group lanes and READONLY flag of the routed data commands. */
  final RouteSession route = new RouteSession();
  /** Set by QUIT: close the connection once the reply is written. */
  boolean closeAfterReply;

  ConnectionState(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }
}
