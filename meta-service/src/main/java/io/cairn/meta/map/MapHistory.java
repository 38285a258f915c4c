package io.cairn.meta.map;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The recent versions of the shard map with the command that produced each ({@code cairn admin
 * history}, {@code query [version]}). Owned by the meta state machine: single-threaded, not
 * thread-safe; the maps it hands out are immutable.
 *
 * <p>Bounded: keeps the last {@code capacity} maps (the current one included) and the commands
 * between them; older ones are dropped. Maps share unchanged parts (the slot table is only copied
 * by AssignSlots, 64 KiB each), so the worst case is about {@code capacity * 64 KiB} of slot
 * tables. The oldest kept map has no command (it is the base the others were replayed from).
 */
public final class MapHistory {
  /** Default number of versions kept: 256 (at most ~16 MiB of slot tables). */
  public static final int DEFAULT_CAPACITY = 256;

  /** A version of the map; {@code command} produced it, null for the oldest kept (the base). */
  public record Entry(long version, MapCommand command, ShardMap map) {}

  private final int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  public MapHistory(ShardMap base, int capacity) {
    if (capacity < 1) {
      throw new MapException("invalid history capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
    entries.add(new Entry(base.version(), null, base));
  }

  public MapHistory(int capacity) {
    this(ShardMap.empty(), capacity);
  }

  /** Validates and applies the command to the current map; the old current stays in history. */
  public ShardMap apply(MapCommand command) {
    ShardMap next = current().apply(command);
    entries.addLast(new Entry(next.version(), command, next));
    while (entries.size() > capacity) {
      entries.removeFirst();
    }
    if (entries.peekFirst().command() != null) {
      Entry e = entries.removeFirst();
      entries.addFirst(new Entry(e.version(), null, e.map()));
    }
    return next;
  }

  public ShardMap current() {
    return entries.getLast().map();
  }

  public ShardMap oldest() {
    return entries.getFirst().map();
  }

  public int capacity() {
    return capacity;
  }

  /** The map at that version; MapException if it is newer than current or no longer kept. */
  public ShardMap at(long version) {
    return entry(version).map();
  }

  /** The command that produced that version; empty for the oldest kept version. */
  public Optional<MapCommand> commandAt(long version) {
    return Optional.ofNullable(entry(version).command());
  }

  /** Kept versions, oldest first. */
  public List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  private Entry entry(long version) {
    long oldest = entries.getFirst().version();
    long newest = entries.getLast().version();
    if (version > newest || version < 0) {
      throw new MapException("no map version " + version + " (current: " + newest + ")");
    }
    if (version < oldest) {
      throw new MapException("map version " + version + " is no longer kept (oldest kept: " + oldest
          + ", history keeps the last " + capacity + ")");
    }
    // versions are consecutive: entry i has version oldest + i
    int i = (int) (version - oldest);
    int k = 0;
    for (Entry e : entries) {
      if (k++ == i) {
        return e;
      }
    }
    throw new IllegalStateException("history not consecutive at version " + version);
  }
}
