package io.cairn.meta.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.meta.proto.GroupSize;
import io.cairn.meta.proto.LeaderHint;
import io.cairn.meta.proto.MapUpdate;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WatchMap streams served by this replica.
 *
 * <p>A stream starts with the current map if it is newer than the watcher's known version (and
 * all leader hints and group sizes), then gets every new version in order, and hint and size
 * changes (coalesced: a watcher gets the newest of each group, not every step). Nothing runs on the
 * apply thread: a new map only schedules a drain on the watch executor. Each stream is drained
 * only while gRPC says it is ready (flow control), so a slow watcher buffers nothing here: it
 * just lags behind, reads the versions it missed from the history, and if it fell out of the
 * history, jumps to the current map. Other watchers are not held up by it.
 */
final class MapWatchers {
  private static final Logger LOG = LoggerFactory.getLogger(MapWatchers.class);

  private final MetaStateMachine state;
  private final Supplier<List<LeaderHint>> allHints;
  private final Supplier<List<GroupSize>> allSizes;
  private final ExecutorService executor;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  /** Encoded maps by version, shared by all streams; pruned to the versions still kept. */
  private final Map<Long, ByteString> encoded = new ConcurrentHashMap<>();

  MapWatchers(MetaStateMachine state, Supplier<List<LeaderHint>> allHints, Supplier<List<GroupSize>> allSizes,
      ExecutorService executor) {
    this.state = state;
    this.allHints = allHints;
    this.allSizes = allSizes;
    this.executor = executor;
  }

  void add(ServerCallStreamObserver<MapUpdate> out, long knownVersion) {
    Watcher w = new Watcher(out, knownVersion);
    out.setOnCancelHandler(() -> watchers.remove(w));
    out.setOnReadyHandler(() -> schedule(w));
    watchers.add(w);
    schedule(w);
  }

  /** A new map was applied (called on the apply thread: only schedules). */
  void mapApplied(ShardMap map) {
    long oldest = state.history().get(0).version();
    encoded.keySet().removeIf(v -> v < oldest);
    watchers.forEach(this::schedule);
  }

  /** A heartbeat changed hints or sizes: every stream gets them. */
  void reportsChanged(StoreReports.Changes changed) {
    if (changed.isEmpty()) {
      return;
    }
    for (Watcher w : watchers) {
      w.add(changed);
      schedule(w);
    }
  }

  int size() {
    return watchers.size();
  }

  /** Ends every stream (the replica is closing); watchers reconnect elsewhere. */
  void closeAll() {
    for (Watcher w : watchers) {
      try {
        w.out.onError(io.grpc.Status.UNAVAILABLE.withDescription("meta replica closing").asRuntimeException());
      } catch (RuntimeException e) {
        LOG.debug("watch stream already closed: {}", e.toString());
      }
    }
    watchers.clear();
  }

  private void schedule(Watcher w) {
    try {
      executor.execute(w::drain);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("watch executor closed");
    }
  }

  private ByteString bytes(ShardMap m) {
    return encoded.computeIfAbsent(m.version(), v -> UnsafeByteOperations.unsafeWrap(ShardMapCodec.encode(m)));
  }

  private final class Watcher {
    final ServerCallStreamObserver<MapUpdate> out;
    long sentVersion;
    boolean started;
    final Map<Long, LeaderHint> pendingHints = new TreeMap<>();
    final Map<Long, GroupSize> pendingSizes = new TreeMap<>();

    Watcher(ServerCallStreamObserver<MapUpdate> out, long knownVersion) {
      this.out = out;
      this.sentVersion = knownVersion;
    }

    synchronized void add(StoreReports.Changes changed) {
      if (started) {
        for (LeaderHint h : changed.hints()) {
          pendingHints.put(h.getGroupId(), h);
        }
        for (GroupSize g : changed.sizes()) {
          pendingSizes.put(g.getGroupId(), g);
        }
      }
    }

    synchronized void drain() {
      try {
        if (out.isCancelled()) {
          watchers.remove(this);
          return;
        }
        while (out.isReady()) {
          MapUpdate.Builder b = MapUpdate.newBuilder();
          ShardMap current = state.current();
          if (!started) {
            started = true;
            if (current.version() > sentVersion) {
              b.setMap(bytes(current)).setVersion(current.version());
              sentVersion = current.version();
            } else {
              b.setVersion(current.version());
            }
            b.addAllLeaders(allHints.get()).addAllSizes(allSizes.get());
            if (b.getMap().isEmpty() && b.getLeadersCount() == 0 && b.getSizesCount() == 0) {
              continue; // nothing to say yet
            }
          } else if (current.version() > sentVersion) {
            ShardMap next;
            try {
              next = state.at(sentVersion + 1);
            } catch (MapException fellBehind) {
              next = current; // missed versions are no longer kept: jump to the current map
            }
            b.setMap(bytes(next)).setVersion(next.version());
            sentVersion = next.version();
          } else if (!pendingHints.isEmpty() || !pendingSizes.isEmpty()) {
            b.setVersion(sentVersion);
          } else {
            return;
          }
          b.addAllLeaders(pendingHints.values()).addAllSizes(pendingSizes.values());
          pendingHints.clear();
          pendingSizes.clear();
          out.onNext(b.build());
        }
      } catch (RuntimeException e) {
        LOG.debug("watch stream failed: {}", e.toString());
        watchers.remove(this);
      }
    }
  }
}
