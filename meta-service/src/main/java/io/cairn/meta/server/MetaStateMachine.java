package io.cairn.meta.server;

import io.cairn.meta.map.MapCommand;
import io.cairn.meta.map.MapException;
import io.cairn.meta.map.MapHistory;
import io.cairn.meta.map.ShardMap;
import io.cairn.meta.map.ShardMapCodec;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.runtime.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The state machine of the meta Raft group: the shard map and its history.
 *
 * <p>Entries are {@link ShardMapCodec}-encoded {@link MapCommand}s. The result of an entry is the
 * new {@link ShardMap}, or the {@link MapException} that refused it: validation is deterministic
 * (every replica refuses the same command), so a refusal is an ordinary result, not a failure of
 * the replica. An entry that does not decode is refused the same way.
 *
 * <p>Durability: the applied entries are in the Raft log (committed: durable on a quorum), so the
 * state file is a checkpoint that bounds the replay after a restart, not the copy that makes a
 * change durable. Every {@link #PERSIST_EVERY_ENTRIES} applied entries (and on close and after a
 * snapshot install) the whole state (applied index + {@link MapHistory} encoding, a few hundred
 * KiB at most) is written to {@code dir/state.tmp}, fsynced, renamed over {@code dir/state} and
 * the directory fsynced, so the applied index in it always describes the state next to it; a
 * restart loads it and the runtime replays the log from there (the log is compacted only up to a
 * snapshot, which a restart installs when the file is older). Writing it after every batch put
 * two more fsyncs after the Raft log's into every map change, e.g. each slot migration's commit.
 * Snapshots are the same bytes in a file of the snapshot directory.
 *
 * <p>Threads: apply, snapshot and install run on the group's apply thread (one at a time). The
 * readers ({@link #current()}, {@link #history()}, {@link #leaderId()}) may run on any thread:
 * they read immutable values published through volatile fields. Listeners are called on the
 * apply thread, in version order, once the entries are committed; they must not block.
 */
public final class MetaStateMachine implements StateMachine {
  private static final int STATE_MAGIC = 0x4341_4D53; // "CAMS"
  static final String STATE_FILE = "state";
  static final String SNAPSHOT_FILE = "meta-state";
  /** Applied entries between two writes of the state file: what a restart replays from the log, at most. */
  static final int PERSIST_EVERY_ENTRIES = 256;

  private final Path dir;
  private final int historyCapacity;
  private final List<Consumer<ShardMap>> listeners = new CopyOnWriteArrayList<>();
  private MapHistory history;
  private volatile long appliedIndex;
  /** The applied index in the state file (apply thread). */
  private long persistedIndex;
  private volatile List<MapHistory.Entry> published;
  private volatile long leaderId;
  private volatile long leaderTerm;

  /** Opens (or creates) the state under {@code dir}, resuming from the persisted applied index. */
  public MetaStateMachine(Path dir, int historyCapacity) {
    this.dir = dir;
    this.historyCapacity = historyCapacity;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(STATE_FILE + ".tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare meta state directory " + dir, e);
    }
    Path file = dir.resolve(STATE_FILE);
    if (Files.exists(file)) {
      load(file);
    } else {
      history = new MapHistory(historyCapacity);
      appliedIndex = 0;
    }
    published = history.entries();
  }

  /** Called with every new map (apply or snapshot install), in version order, on the apply thread. */
  public void addListener(Consumer<ShardMap> listener) {
    listeners.add(listener);
  }

  /** The map as of the last applied entry. */
  public ShardMap current() {
    List<MapHistory.Entry> p = published;
    return p.get(p.size() - 1).map();
  }

  /** The kept versions, oldest first (an immutable snapshot). */
  public List<MapHistory.Entry> history() {
    return published;
  }

  /** The map at a kept version; MapException when it is not kept or not made yet. */
  public ShardMap at(long version) {
    List<MapHistory.Entry> p = published;
    long oldest = p.get(0).version();
    long newest = p.get(p.size() - 1).version();
    if (version > newest || version < 0) {
      throw new MapException("no map version " + version + " (current: " + newest + ")");
    }
    if (version < oldest) {
      throw new MapException("map version " + version + " is no longer kept (oldest kept: " + oldest + ")");
    }
    return p.get((int) (version - oldest)).map();
  }

  /** The meta replica leading the group as last told by the runtime; 0 = unknown. */
  public long leaderId() {
    return leaderId;
  }

  public long leaderTerm() {
    return leaderTerm;
  }

  @Override
  public List<Object> apply(List<Entry> entries) {
    List<Object> results = new ArrayList<>(entries.size());
    List<ShardMap> made = new ArrayList<>();
    for (Entry e : entries) {
      if (e.type() != EntryType.NORMAL || e.data().length == 0) {
        results.add(null);
        continue;
      }
      Object result;
      try {
        MapCommand c = ShardMapCodec.decodeCommand(e.data());
        ShardMap next = history.apply(c);
        made.add(next);
        result = next;
      } catch (MapException refused) {
        result = refused;
      }
      results.add(result);
    }
    if (!entries.isEmpty()) {
      appliedIndex = entries.get(entries.size() - 1).index();
      if (appliedIndex - persistedIndex >= PERSIST_EVERY_ENTRIES) {
        persist();
      }
    }
    if (!made.isEmpty()) {
      published = history.entries();
      for (ShardMap m : made) {
        notifyListeners(m);
      }
    }
    return results;
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long snapshot(Path snapshotDir) {
    writeAtomically(snapshotDir.resolve(SNAPSHOT_FILE), encodeState());
    return appliedIndex;
  }

  @Override
  public void installSnapshot(Path snapshotDir, SnapshotMetadata metadata) {
    load(snapshotDir.resolve(SNAPSHOT_FILE));
    appliedIndex = metadata.index();
    persist();
    published = history.entries();
    notifyListeners(history.current());
  }

  @Override
  public void onLeaderChange(long leader, long term) {
    leaderTerm = term;
    leaderId = leader;
  }

  private void notifyListeners(ShardMap m) {
    for (Consumer<ShardMap> l : listeners) {
      try {
        l.accept(m);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(MetaStateMachine.class).warn("map listener failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- persistence

  /** {@code magic(4) appliedIndex(8) historyLen(4) history} (ShardMapCodec history encoding). */
  private byte[] encodeState() {
    byte[] h = ShardMapCodec.encode(history);
    return ByteBuffer.allocate(16 + h.length).putInt(STATE_MAGIC).putLong(appliedIndex).putInt(h.length).put(h)
        .array();
  }

  private void load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read meta state " + file, e);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < 16 || in.getInt() != STATE_MAGIC) {
      throw new IllegalStateException("meta state " + file + " is not a meta state file");
    }
    long index = in.getLong();
    int len = in.getInt();
    if (len != in.remaining()) {
      throw new IllegalStateException("meta state " + file + " is truncated: history of " + len + " bytes, "
          + in.remaining() + " present");
    }
    byte[] h = new byte[len];
    in.get(h);
    MapHistory loaded = ShardMapCodec.decodeHistory(h);
    history = loaded.capacity() == historyCapacity ? loaded : rebase(loaded);
    appliedIndex = index;
    persistedIndex = index;
  }

  /** The loaded history re-kept with this node's capacity (the configured one may have changed). */
  private MapHistory rebase(MapHistory loaded) {
    List<MapHistory.Entry> es = loaded.entries();
    int from = Math.max(0, es.size() - historyCapacity);
    MapHistory h = new MapHistory(es.get(from).map(), historyCapacity);
    for (int i = from + 1; i < es.size(); i++) {
      h.apply(es.get(i).command());
    }
    return h;
  }

  private void persist() {
    writeAtomically(dir.resolve(STATE_FILE), encodeState());
    persistedIndex = appliedIndex;
  }

  /** Writes the state file if entries were applied since the last one (the runtime closes it after the last apply). */
  @Override
  public void close() {
    if (appliedIndex > persistedIndex) {
      persist();
    }
  }

  /** Writes {@code file.tmp}, fsyncs it, renames it over {@code file}, fsyncs the directory. */
  static void writeAtomically(Path file, byte[] bytes) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
