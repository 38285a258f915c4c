package io.cairn.meta.client;

import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.proto.GetMapResponse;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.MapUpdate;
import io.cairn.meta.proto.MetaServiceGrpc;
import io.cairn.meta.proto.WatchMapRequest;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterView} fed by the meta service: one thread follows a WatchMap stream, on the
 * meta leader when it is known (leader hints come from the leader's heartbeats), else on any
 * replica. When the stream breaks (replica down, closing) it reconnects, to the next replica
 * after a failure, with backoff, resuming from the version it has ({@code known_version}).
 * {@link #newerThan} also polls GetMap through the {@link MetaClient} (the leader answers
 * linearizably), so a stale stream cannot hold a caller back. Group sizes come with the stream
 * only (from the meta leader, like the hints).
 *
 * <p>Listeners run on the watch or poll thread, in version order: keep them short.
 */
public final class MetaClusterView extends AbstractClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(MetaClusterView.class);

  private final MetaClient client;
  private final Thread watcher;
  private final ExecutorService poller;
  private final AtomicBoolean pollPending = new AtomicBoolean();
  private volatile Context.CancellableContext stream;
  private volatile boolean closed;

  private MetaClusterView(MetaClient client) {
    super(ShardMap.empty());
    this.client = client;
    this.watcher = new Thread(this::watchLoop, "meta-watch-client");
    this.watcher.setDaemon(true);
    this.poller = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "meta-map-poll");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts following the map; {@link #map()} is the empty map (version 0) until the first arrives. */
  public static MetaClusterView start(MetaClient client) {
    MetaClusterView v = new MetaClusterView(client);
    v.watcher.start();
    return v;
  }

  public MetaClient client() {
    return client;
  }

  @Override
  protected void refresh() {
    if (closed || !pollPending.compareAndSet(false, true)) {
      return;
    }
    try {
      poller.execute(() -> {
        pollPending.set(false);
        try {
          GetMapResponse r = client.getMap(0);
          hints(r.getLeadersList());
          offer(ShardMapCodec.decodeMap(r.getMap().toByteArray()));
        } catch (RuntimeException e) {
          LOG.debug("map poll failed: {}", e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      pollPending.set(false);
    }
  }

  private void watchLoop() {
    String target = null;
    long backoff = client.options().backoffMin().toMillis();
    while (!closed) {
      Context.CancellableContext ctx = Context.current().withCancellation();
      stream = ctx;
      boolean received = false;
      try {
        if (closed) {
          break;
        }
        if (target == null) {
          // Leader hints come from the leader's heartbeats: watch there when it can be found.
          String leader = client.findLeader();
          target = leader != null ? leader : client.preferredAddress();
        }
        Context previous = ctx.attach();
        try {
          Iterator<MapUpdate> it = MetaServiceGrpc.newBlockingStub(client.channel(target))
              .watchMap(WatchMapRequest.newBuilder().setKnownVersion(map().version()).build());
          while (it.hasNext()) {
            MapUpdate u = it.next();
            received = true;
            backoff = client.options().backoffMin().toMillis();
            hints(u.getLeadersList());
            sizes(u.getSizesList());
            if (!u.getMap().isEmpty()) {
              offer(ShardMapCodec.decodeMap(u.getMap().toByteArray()));
            }
          }
        } finally {
          ctx.detach(previous);
        }
      } catch (StatusRuntimeException | IllegalStateException e) {
        LOG.debug("map watch on {} ended: {}", target, e.toString());
      } catch (RuntimeException e) {
        LOG.warn("map watch on {} failed", target, e);
      } finally {
        ctx.cancel(null);
      }
      if (closed) {
        break;
      }
      // After a stream that worked, look for the (maybe new) leader; after a failure, go on to
      // the next replica (the leader may be the one that failed).
      target = received ? null : client.next(target);
      if (!received) {
        sleep(backoff);
        backoff = Math.min(backoff * 2, client.options().backoffMax().toMillis());
      }
    }
  }

  private void hints(List<LeaderHint> hints) {
    for (LeaderHint h : hints) {
      noteLeader(h.getGroupId(), h.getStoreId());
    }
  }

  private void sizes(List<io.cairn.meta.proto.GroupSize> sizes) {
    for (io.cairn.meta.proto.GroupSize s : sizes) {
      if (s.getStoreId() == 0) {
        forgetSize(s.getGroupId());
      } else {
        noteSize(new GroupSize(s.getGroupId(), s.getKeyCount(), s.getExpiresCount(), s.getSizeBytes()));
      }
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    Context.CancellableContext s = stream;
    if (s != null) {
      s.cancel(null);
    }
    watcher.interrupt();
    poller.shutdownNow();
    try {
      watcher.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
