package io.cairn.gateway;

import io.cairn.gateway.route.RouteSession;
import io.cairn.store.resp.RespEncoder;

/**
 * Per-connection state that connection commands read and change (Redis's {@code client}
 * struct, the part the gateway owns). Written only from the connection's event loop; the fields
 * CLIENT LIST shows are volatile because other connections read them from their own loops.
 */
final class ConnectionState {
  final long id;
  /** When the connection was accepted, {@link System#currentTimeMillis()} (CLIENT LIST age). */
  final long createdMillis = System.currentTimeMillis();
  /** {@link RespEncoder#RESP2} or {@link RespEncoder#RESP3}; HELLO switches it, RESET: 2. */
  volatile int protocol = RespEncoder.RESP2;
  boolean authenticated;
  /** CLIENT SETNAME / HELLO SETNAME; null when unset. */
  volatile String name;
  /** CLIENT SETINFO LIB-NAME / LIB-VER; null when unset. */
  volatile String libName;
  volatile String libVersion;
  /** Per-group lanes, READONLY flag and last write group of the routed data commands. */
  final RouteSession route = new RouteSession();
  /** Set by QUIT: close the connection once the reply is written. */
  boolean closeAfterReply;
  /** The last command looked up, as CLIENT LIST's {@code cmd=} ("client|list"); "NULL" at first. */
  volatile String lastCommand = "NULL";
  /** When the last request arrived (CLIENT LIST idle). */
  volatile long lastInteractionMillis = createdMillis;

  ConnectionState(long id, boolean authenticated) {
    this.id = id;
    this.authenticated = authenticated;
  }
}
