package io.cairn.meta.map;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encoding of maps, commands and histories: what the meta group writes in its Raft log and
 * snapshots. The format is frozen and documented in docs/meta-service.md (every field, every type
 * code); integers are big-endian. Decoding checks lengths, codes and the map invariants and throws
 * {@link MapException} on bad input; it never trusts a length to allocate more than the input holds.
 */
public final class ShardMapCodec {
  static final byte MAP_TAG = 'M';
  static final byte COMMAND_TAG = 'C';
  static final byte HISTORY_TAG = 'H';
  /**
   * Format versions; bump (and keep a decoder for the old one) on change. Maps and histories are
   * at 3 (migrations in flight, next migration id, leaving groups after the slot runs); format 2
   * (no migrations) and format 1 (no founders either: they are the voters as encoded) are still
   * decoded. Commands are still at 1 (new commands got new type codes).
   */
  static final byte MAP_FORMAT = 3;
  static final byte HISTORY_FORMAT = 3;
  static final byte COMMAND_FORMAT = 1;

  // Command type codes: frozen.
  static final int ADD_STORE = 1;
  static final int REMOVE_STORE = 2;
  static final int SET_STORE_STATE = 3;
  static final int CREATE_GROUP = 4;
  static final int SET_REPLICA_ROLE = 5;
  static final int REMOVE_REPLICA = 6;
  static final int ASSIGN_SLOTS = 7;
  static final int DESTROY_GROUP = 8;
  static final int BEGIN_MIGRATION = 9;
  static final int COMMIT_MIGRATION = 10;
  static final int END_MIGRATION = 11;
  static final int ABORT_MIGRATION = 12;
  static final int LEAVE_GROUP = 13;

  private ShardMapCodec() {}

  // ---------------------------------------------------------------- map

  public static byte[] encode(ShardMap map) {
    return write(out -> writeMap(out, map));
  }

  public static ShardMap decodeMap(byte[] bytes) {
    return read(bytes, ShardMapCodec::readMap);
  }

  private static void writeMap(DataOutputStream out, ShardMap map) throws IOException {
    out.writeByte(MAP_TAG);
    out.writeByte(MAP_FORMAT);
    out.writeLong(map.version());
    out.writeInt(map.stores().size());
    for (StoreInfo s : map.stores()) {
      writeStore(out, s);
    }
    out.writeInt(map.groups().size());
    for (GroupInfo g : map.groups()) {
      out.writeLong(g.id());
      writeReplicas(out, g.replicas());
      out.writeShort(g.founders().size()); // a group has at most one replica per store: fits
      for (long f : g.founders()) {
        out.writeLong(f);
      }
    }
    // Slot table as runs of owned slots: first(2) last(2) group(8), ascending, unassigned omitted.
    int[] owner = map.slotTableShared();
    List<int[]> runs = new ArrayList<>();
    int start = 0;
    for (int slot = 1; slot <= ShardMap.SLOT_COUNT; slot++) {
      if (slot == ShardMap.SLOT_COUNT || owner[slot] != owner[start]) {
        if (owner[start] != ShardMap.UNASSIGNED) {
          runs.add(new int[] {start, slot - 1, owner[start]});
        }
        start = slot;
      }
    }
    out.writeInt(runs.size());
    for (int[] r : runs) {
      out.writeShort(r[0]);
      out.writeShort(r[1]);
      out.writeLong(r[2]);
    }
    out.writeInt(map.migrations().size());
    for (Migration m : map.migrations()) {
      writeMigration(out, m);
      out.writeByte(m.phase().code);
    }
    out.writeLong(map.nextMigrationId());
    out.writeInt(map.leavingGroups().size());
    for (long g : map.leavingGroups()) {
      out.writeLong(g);
    }
  }

  /** {@code id(8) first(2) last(2) source(8) target(8)}. */
  private static void writeMigration(DataOutputStream out, Migration m) throws IOException {
    out.writeLong(m.id());
    out.writeShort(m.range().first());
    out.writeShort(m.range().last());
    out.writeLong(m.source());
    out.writeLong(m.target());
  }

  private static Migration readMigration(ByteBuffer in, Migration.Phase phase) {
    long id = in.getLong();
    SlotRange range = new SlotRange(Short.toUnsignedInt(in.getShort()), Short.toUnsignedInt(in.getShort()));
    return new Migration(id, range, in.getLong(), in.getLong(), phase);
  }

  private static ShardMap readMap(ByteBuffer in) {
    int format = expectHeader(in, MAP_TAG, "map", 1, MAP_FORMAT);
    long version = in.getLong();
    int storeCount = count(in, in.getInt(), 8 + 1 + 2 + 2, "stores");
    List<StoreInfo> stores = new ArrayList<>(storeCount);
    for (int i = 0; i < storeCount; i++) {
      stores.add(readStore(in));
    }
    int groupCount = count(in, in.getInt(), 8 + 2, "groups");
    List<GroupInfo> groups = new ArrayList<>(groupCount);
    for (int i = 0; i < groupCount; i++) {
      long id = in.getLong();
      List<Replica> replicas = readReplicas(in);
      if (format == 1) {
        groups.add(new GroupInfo(id, replicas)); // founders: the voters as encoded
      } else {
        int n = count(in, Short.toUnsignedInt(in.getShort()), 8, "founders");
        List<Long> founders = new ArrayList<>(n);
        for (int f = 0; f < n; f++) {
          founders.add(in.getLong());
        }
        if (new java.util.TreeSet<>(founders).size() != n) {
          throw new MapException("group " + id + ": duplicate founder in " + founders);
        }
        groups.add(new GroupInfo(id, replicas, founders));
      }
    }
    int runCount = count(in, in.getInt(), 2 + 2 + 8, "slot runs");
    int[] owner = new int[ShardMap.SLOT_COUNT];
    int next = 0;
    for (int i = 0; i < runCount; i++) {
      int first = Short.toUnsignedInt(in.getShort());
      int last = Short.toUnsignedInt(in.getShort());
      long group = in.getLong();
      new SlotRange(first, last); // validates bounds
      if (first < next) {
        throw new MapException("slot run " + first + "-" + last + " overlaps or is out of order (expected: first >= " + next + ")");
      }
      if (group <= 0 || group > Integer.MAX_VALUE) {
        throw new MapException("invalid group id in slot run: " + group + " (expected: 1.." + Integer.MAX_VALUE + ")");
      }
      java.util.Arrays.fill(owner, first, last + 1, (int) group);
      next = last + 1;
    }
    if (format < 3) {
      return ShardMap.restore(version, stores, groups, owner);
    }
    int migrationCount = count(in, in.getInt(), 8 + 2 + 2 + 8 + 8 + 1, "migrations");
    List<Migration> migrations = new ArrayList<>(migrationCount);
    for (int i = 0; i < migrationCount; i++) {
      Migration m = readMigration(in, Migration.Phase.MOVING);
      migrations.add(m.withPhase(Migration.Phase.ofCode(Byte.toUnsignedInt(in.get()))));
    }
    long nextMigrationId = in.getLong();
    int leavingCount = count(in, in.getInt(), 8, "leaving groups");
    List<Long> leaving = new ArrayList<>(leavingCount);
    for (int i = 0; i < leavingCount; i++) {
      leaving.add(in.getLong());
    }
    return ShardMap.restore(version, stores, groups, owner, migrations, nextMigrationId, leaving);
  }

  // ---------------------------------------------------------------- command

  public static byte[] encode(MapCommand command) {
    return write(out -> writeCommand(out, command));
  }

  public static MapCommand decodeCommand(byte[] bytes) {
    return read(bytes, ShardMapCodec::readCommand);
  }

  private static void writeCommand(DataOutputStream out, MapCommand command) throws IOException {
    out.writeByte(COMMAND_TAG);
    out.writeByte(COMMAND_FORMAT);
    if (command instanceof MapCommand.AddStore c) {
      out.writeByte(ADD_STORE);
      writeStore(out, c.store());
    } else if (command instanceof MapCommand.RemoveStore c) {
      out.writeByte(REMOVE_STORE);
      out.writeLong(c.storeId());
    } else if (command instanceof MapCommand.SetStoreState c) {
      out.writeByte(SET_STORE_STATE);
      out.writeLong(c.storeId());
      out.writeByte(c.state().code);
    } else if (command instanceof MapCommand.CreateGroup c) {
      out.writeByte(CREATE_GROUP);
      out.writeLong(c.groupId());
      writeReplicas(out, c.replicas());
    } else if (command instanceof MapCommand.SetReplicaRole c) {
      out.writeByte(SET_REPLICA_ROLE);
      out.writeLong(c.groupId());
      out.writeLong(c.storeId());
      out.writeByte(c.role().code);
    } else if (command instanceof MapCommand.RemoveReplica c) {
      out.writeByte(REMOVE_REPLICA);
      out.writeLong(c.groupId());
      out.writeLong(c.storeId());
    } else if (command instanceof MapCommand.AssignSlots c) {
      out.writeByte(ASSIGN_SLOTS);
      out.writeLong(c.groupId());
      if (c.ranges().size() > 0xFFFF) {
        throw new MapException("too many slot ranges: " + c.ranges().size() + " (expected: <= 65535)");
      }
      out.writeShort(c.ranges().size());
      for (SlotRange r : c.ranges()) {
        out.writeShort(r.first());
        out.writeShort(r.last());
      }
    } else if (command instanceof MapCommand.DestroyGroup c) {
      out.writeByte(DESTROY_GROUP);
      out.writeLong(c.groupId());
    } else if (command instanceof MapCommand.BeginMigration c) {
      out.writeByte(BEGIN_MIGRATION);
      if (c.migrations().size() > 0xFFFF) {
        throw new MapException("too many migrations: " + c.migrations().size() + " (expected: <= 65535)");
      }
      out.writeShort(c.migrations().size());
      for (Migration m : c.migrations()) {
        if (m.phase() != Migration.Phase.MOVING) {
          throw new MapException("migration " + m.id() + " begins as " + m.phase() + " (expected: MOVING)");
        }
        writeMigration(out, m);
      }
    } else if (command instanceof MapCommand.CommitMigration c) {
      out.writeByte(COMMIT_MIGRATION);
      out.writeLong(c.migrationId());
    } else if (command instanceof MapCommand.EndMigration c) {
      out.writeByte(END_MIGRATION);
      out.writeLong(c.migrationId());
    } else if (command instanceof MapCommand.AbortMigration c) {
      out.writeByte(ABORT_MIGRATION);
      out.writeLong(c.migrationId());
    } else if (command instanceof MapCommand.LeaveGroup c) {
      out.writeByte(LEAVE_GROUP);
      out.writeLong(c.groupId());
    } else {
      throw new MapException("unknown command: " + command);
    }
  }

  private static MapCommand readCommand(ByteBuffer in) {
    expectHeader(in, COMMAND_TAG, "command", COMMAND_FORMAT, COMMAND_FORMAT);
    int type = Byte.toUnsignedInt(in.get());
    switch (type) {
      case ADD_STORE:
        return new MapCommand.AddStore(readStore(in));
      case REMOVE_STORE:
        return new MapCommand.RemoveStore(in.getLong());
      case SET_STORE_STATE:
        return new MapCommand.SetStoreState(in.getLong(), StoreState.ofCode(Byte.toUnsignedInt(in.get())));
      case CREATE_GROUP:
        return new MapCommand.CreateGroup(in.getLong(), readReplicas(in));
      case SET_REPLICA_ROLE:
        return new MapCommand.SetReplicaRole(in.getLong(), in.getLong(),
            ReplicaRole.ofCode(Byte.toUnsignedInt(in.get())));
      case REMOVE_REPLICA:
        return new MapCommand.RemoveReplica(in.getLong(), in.getLong());
      case ASSIGN_SLOTS: {
        long group = in.getLong();
        int n = count(in, Short.toUnsignedInt(in.getShort()), 4, "slot ranges");
        List<SlotRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ranges.add(new SlotRange(Short.toUnsignedInt(in.getShort()), Short.toUnsignedInt(in.getShort())));
        }
        return new MapCommand.AssignSlots(ranges, group);
      }
      case DESTROY_GROUP:
        return new MapCommand.DestroyGroup(in.getLong());
      case BEGIN_MIGRATION: {
        int n = count(in, Short.toUnsignedInt(in.getShort()), 28, "migrations");
        List<Migration> migrations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          migrations.add(readMigration(in, Migration.Phase.MOVING));
        }
        return new MapCommand.BeginMigration(migrations);
      }
      case COMMIT_MIGRATION:
        return new MapCommand.CommitMigration(in.getLong());
      case END_MIGRATION:
        return new MapCommand.EndMigration(in.getLong());
      case ABORT_MIGRATION:
        return new MapCommand.AbortMigration(in.getLong());
      case LEAVE_GROUP:
        return new MapCommand.LeaveGroup(in.getLong());
      default:
        throw new MapException("unknown command type code: " + type + " (expected: 1..13)");
    }
  }

  // ---------------------------------------------------------------- history

  /** A history as its oldest kept map plus the commands after it; decoding replays them. */
  public static byte[] encode(MapHistory history) {
    return write(out -> {
      out.writeByte(HISTORY_TAG);
      out.writeByte(HISTORY_FORMAT);
      out.writeInt(history.capacity());
      byte[] base = encode(history.oldest());
      out.writeInt(base.length);
      out.write(base);
      List<MapHistory.Entry> entries = history.entries();
      out.writeInt(entries.size() - 1);
      for (MapHistory.Entry e : entries.subList(1, entries.size())) {
        byte[] c = encode(e.command());
        out.writeInt(c.length);
        out.write(c);
      }
    });
  }

  public static MapHistory decodeHistory(byte[] bytes) {
    return read(bytes, in -> {
      expectHeader(in, HISTORY_TAG, "history", 1, HISTORY_FORMAT); // 1..3: same layout (the map has its own format)
      int capacity = in.getInt();
      ShardMap base = decodeMap(slice(in));
      int n = count(in, in.getInt(), 4, "history commands");
      MapHistory h = new MapHistory(base, capacity);
      for (int i = 0; i < n; i++) {
        h.apply(decodeCommand(slice(in)));
      }
      return h;
    });
  }

  // ---------------------------------------------------------------- parts

  private static void writeStore(DataOutputStream out, StoreInfo s) throws IOException {
    out.writeLong(s.id());
    out.writeByte(s.state().code);
    writeString(out, s.raftAddress());
    writeString(out, s.serviceAddress());
  }

  private static StoreInfo readStore(ByteBuffer in) {
    long id = in.getLong();
    StoreState state = StoreState.ofCode(Byte.toUnsignedInt(in.get()));
    return new StoreInfo(id, readString(in), readString(in), state);
  }

  private static void writeReplicas(DataOutputStream out, List<Replica> replicas) throws IOException {
    if (replicas.size() > 0xFFFF) {
      throw new MapException("too many replicas: " + replicas.size() + " (expected: <= 65535)");
    }
    out.writeShort(replicas.size());
    for (Replica r : replicas) {
      out.writeLong(r.storeId());
      out.writeByte(r.role().code);
    }
  }

  private static List<Replica> readReplicas(ByteBuffer in) {
    int n = count(in, Short.toUnsignedInt(in.getShort()), 9, "replicas");
    List<Replica> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Replica(in.getLong(), ReplicaRole.ofCode(Byte.toUnsignedInt(in.get()))));
    }
    return out;
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new MapException("address too long: " + b.length + " bytes (expected: <= 65535)");
    }
    out.writeShort(b.length);
    out.write(b);
  }

  private static String readString(ByteBuffer in) {
    int n = count(in, Short.toUnsignedInt(in.getShort()), 1, "address bytes");
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] slice(ByteBuffer in) {
    int n = count(in, in.getInt(), 1, "nested bytes");
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /** Checks a decoded element count against what the input can still hold. */
  private static int count(ByteBuffer in, int n, int minBytesEach, String what) {
    if (n < 0 || (long) n * minBytesEach > in.remaining()) {
      throw new MapException("invalid count of " + what + ": " + n + " (only " + in.remaining()
          + " bytes left)");
    }
    return n;
  }

  /** Checks the tag and returns the format, refusing formats outside {@code min..max}. */
  private static int expectHeader(ByteBuffer in, byte tag, String what, int min, int max) {
    byte t = in.get();
    if (t != tag) {
      throw new MapException("not an encoded " + what + ": tag " + (t & 0xFF) + " (expected: " + tag + ")");
    }
    int f = Byte.toUnsignedInt(in.get());
    if (f < min || f > max) {
      throw new MapException("unsupported " + what + " format: " + f + " (expected: "
          + (min == max ? Integer.toString(max) : min + ".." + max) + ")");
    }
    return f;
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T read(byte[] bytes, java.util.function.Function<ByteBuffer, T> reader) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    T value;
    try {
      value = reader.apply(in);
    } catch (BufferUnderflowException e) {
      throw new MapException("truncated input: " + bytes.length + " bytes");
    }
    if (in.hasRemaining()) {
      throw new MapException("trailing bytes: " + in.remaining() + " after the encoded value");
    }
    return value;
  }
}
