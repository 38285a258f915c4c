package io.cairn.store.replica;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One replicated write as it travels in a Raft entry. The leader fills in {@code now} (its clock,
 * ms since the epoch) and {@code seed} (fresh randomness) so that apply is deterministic: every
 * replica executes the command with the same time and the same random picks (DESIGN.md rule 2).
 * {@code session}/{@code seq} identify the write for exactly-once apply; {@code acked} is the
 * highest sequence number of the session whose reply the client has received, so replies up to
 * it may be forgotten. Session 0 means "no session" (no deduplication).
 *
 * {@code mapVersion} is the shard-map version the client routed the command with (0 = not given):
 * a group importing the command's slot serves it before FINISH_TARGET when it is new enough
 * (docs/slot-migration.md, "Release by routed version").
 *
 * <p>Encoding, frozen (docs/storage-format.md): {@code format(1)=1 session(8) seq(8) acked(8)
 * now(8) seed(8) argc(4) then argc times len(4) bytes}; with a map version, format 2:
 * {@code format(1)=2 session(8) seq(8) acked(8) now(8) seed(8) mapVersion(8) argc(4) ...}.
 *
 * <p><b>Batches.</b> Consecutive writes of one request to one group travel in one Raft entry
 * ({@link #encodeBatch}): {@code format(1)=3 count(4) then count times len(4) command}, each
 * command in format 1 or 2. Apply runs them in order, each exactly as if it had its own entry
 * (its own session, time and seed), and answers with one result per command.
 */
public record StoreCommand(long session, long seq, long acked, long now, long seed, byte[][] argv, long mapVersion) {
    static final byte FORMAT = 1;
    static final byte FORMAT_ROUTED = 2;
    static final byte FORMAT_BATCH = 3;
    /** Most commands in one batch entry (collection versions are counted per entry: 2^16 of them). */
    public static final int MAX_BATCH = 256;
    /** Upper bound on a decoded argument count (a corrupt entry must not allocate wildly). */
    static final int MAX_ARGS = 1 << 24;

    public StoreCommand(long session, long seq, long acked, long now, long seed, byte[][] argv) {
        this(session, seq, acked, now, seed, argv, 0);
    }

    public static StoreCommand of(long now, long seed, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new StoreCommand(0, 0, 0, now, seed, argv);
    }

    public byte[] encode() {
        int size = 1 + 8 * (mapVersion == 0 ? 5 : 6) + 4;
        for (byte[] a : argv) {
            size += 4 + a.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(mapVersion == 0 ? FORMAT : FORMAT_ROUTED).putLong(session).putLong(seq).putLong(acked).putLong(now)
                .putLong(seed);
        if (mapVersion != 0) {
            b.putLong(mapVersion);
        }
        b.putInt(argv.length);
        for (byte[] a : argv) {
            b.putInt(a.length).put(a);
        }
        return b.array();
    }

    /** Whether {@code data} (a Raft entry's) holds a batch of commands ({@link #encodeBatch}). */
    public static boolean isBatch(byte[] data) {
        return data.length > 0 && data[0] == FORMAT_BATCH;
    }

    /** One entry for {@code commands} (2 to {@link #MAX_BATCH}), applied in order. */
    public static byte[] encodeBatch(List<StoreCommand> commands) {
        if (commands.size() < 2 || commands.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 2 to " + MAX_BATCH + " commands, not " + commands.size());
        }
        byte[][] parts = new byte[commands.size()][];
        int size = 1 + 4;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = commands.get(i).encode();
            size += 4 + parts[i].length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(FORMAT_BATCH).putInt(parts.length);
        for (byte[] p : parts) {
            b.putInt(p.length).put(p);
        }
        return b.array();
    }

    /** The commands of a batch entry, in order. */
    public static List<StoreCommand> decodeBatch(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        if (b.get() != FORMAT_BATCH) {
            throw new IllegalArgumentException("not a batch of store commands");
        }
        int count = b.getInt();
        if (count < 1 || count > MAX_BATCH) {
            throw new IllegalArgumentException("bad batch size " + count);
        }
        List<StoreCommand> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = b.getInt();
            if (n < 1 || n > b.remaining()) {
                throw new IllegalArgumentException("bad command length " + n);
            }
            commands.add(decode(b.slice(b.position(), n)));
            b.position(b.position() + n);
        }
        return commands;
    }

    public static StoreCommand decode(byte[] data) {
        return decode(ByteBuffer.wrap(data));
    }

    private static StoreCommand decode(ByteBuffer b) {
        byte format = b.get();
        if (format != FORMAT && format != FORMAT_ROUTED) {
            throw new IllegalArgumentException("unknown store command format " + format);
        }
        long session = b.getLong();
        long seq = b.getLong();
        long acked = b.getLong();
        long now = b.getLong();
        long seed = b.getLong();
        long mapVersion = format == FORMAT_ROUTED ? b.getLong() : 0;
        int argc = b.getInt();
        if (argc < 1 || argc > MAX_ARGS) {
            throw new IllegalArgumentException("bad argument count " + argc);
        }
        byte[][] argv = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("bad argument length " + n);
            }
            argv[i] = new byte[n];
            b.get(argv[i]);
        }
        return new StoreCommand(session, seq, acked, now, seed, argv, mapVersion);
    }
}
