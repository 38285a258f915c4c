package io.cairn.gateway.route;

import io.cairn.raft.transport.GrpcChannels;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One gRPC channel and one {@link StoreBatcher} per store address ({@code host:port}), created
 * on first use and kept for the gateway's life; plus the batching counters.
 */
final class StoreClients implements AutoCloseable {
  /** Replies of KEYS / large MGETs can be big; Redis's proto-max-bulk-len is 512 MiB. */
  private static final int MAX_INBOUND_BYTES = 512 << 20;

  private final RouteConfig config;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, StoreBatcher> batchers = new ConcurrentHashMap<>();
  final AtomicLong calls = new AtomicLong();
  final AtomicLong commands = new AtomicLong();

  StoreClients(RouteConfig config) {
    this.config = config;
  }

  StoreBatcher batcher(String address) {
    return batchers.computeIfAbsent(address, a -> new StoreBatcher(a, channel(a), config, calls,
        commands));
  }

  /**
   * After UNAVAILABLE: lets the channel try to connect again now rather than after gRPC's
   * reconnect backoff (up to two minutes), so a restarted store is used as soon as it is back.
   */
  void reconnectNow(String address) {
    ManagedChannel c = channels.get(address);
    if (c != null) {
      c.resetConnectBackoff();
    }
  }

  private ManagedChannel channel(String address) {
    // Response callbacks only queue work (replies go to the client's event loop, the next call is
    // started without waiting), so they run where the response is produced: over Netty on the
    // channel's event loop; in-process (the store runs in this JVM, cairn dev) on the store's
    // thread that answered, a Raft worker or a read thread.
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      // Pings only while calls are out (a vanished store fails them; see RouteConfig).
      return GrpcChannels.open(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)),
          MAX_INBOUND_BYTES, true,
          GrpcChannels.keepAlive(config.keepAliveMillis(), config.keepAliveTimeoutMillis()));
    });
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
