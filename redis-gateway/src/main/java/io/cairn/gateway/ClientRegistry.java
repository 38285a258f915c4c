package io.cairn.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live client connections of one gateway, across all event loops (Redis's
 * {@code server.clients}): for CLIENT LIST / KILL, INFO's connected_clients and the
 * {@code maxclients} limit. Thread-safe; admitting and removing are O(1).
 */
final class ClientRegistry {

  /** One admitted connection: its state and its channel. */
  record Client(ConnectionState state, Channel channel) {
    long id() {
      return state.id;
    }

    /** {@code ip:port} of the client, as Redis's {@code addr=}. */
    String addr() {
      return format(channel.remoteAddress());
    }

    /** {@code ip:port} of the gateway side, as Redis's {@code laddr=}. */
    String laddr() {
      return format(channel.localAddress());
    }

    /** Bytes of replies queued in Netty and not yet written to the socket. */
    long pendingOutputBytes() {
      ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
      return out == null ? 0 : out.totalPendingWriteBytes();
    }

    private static String format(SocketAddress a) {
      if (a instanceof InetSocketAddress in) {
        String ip = in.getAddress() == null ? in.getHostString() : in.getAddress().getHostAddress();
        return ip + ":" + in.getPort();
      }
      return String.valueOf(a);
    }
  }

  private final ConcurrentMap<Long, Client> clients = new ConcurrentHashMap<>();
  /** Admitted clients; kept apart from the map's size so that admission is one atomic step. */
  private final AtomicInteger count = new AtomicInteger();

  /**
   * Registers a new connection unless {@code maxclients} are already connected (Redis checks the
   * count before the new client joins). False: the caller rejects and closes the connection.
   */
  boolean admit(Client client, int maxclients) {
    while (true) {
      int n = count.get();
      if (n >= maxclients) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        clients.put(client.id(), client);
        return true;
      }
    }
  }

  /** Forgets a closed connection; nothing if it was never admitted. */
  void remove(long id) {
    if (clients.remove(id) != null) {
      count.decrementAndGet();
    }
  }

  /**
   * Kills a connection: it leaves the registry at once (as Redis frees a killed client at once:
   * the next CLIENT LIST or KILL no longer sees it), and Netty runs the close on the channel's
   * event loop.
   */
  void kill(Client client) {
    remove(client.id());
    client.channel().close();
  }

  Client get(long id) {
    return clients.get(id);
  }

  int size() {
    return count.get();
  }

  /** Every connection, in id (connection) order, as Redis lists them. */
  List<Client> all() {
    Collection<Client> now = clients.values();
    List<Client> out = new ArrayList<>(now);
    out.sort(Comparator.comparingLong(Client::id));
    return out;
  }
}
