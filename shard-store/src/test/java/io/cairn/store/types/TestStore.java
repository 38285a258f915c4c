package io.cairn.store.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * A temporary RocksDB holding one group, for type-layer unit tests: commands run as the store
 * runs them (writes in a write batch committed per command, reads on a snapshot), with a clock
 * and a seed the test controls.
 */
public final class TestStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    public static final long GROUP = 7;

    private final RocksDB db;
    private final Options options;
    private final WriteOptions writeOptions = new WriteOptions();
    private final CommandTable table = CommandTable.standard();
    /** The store's record cache, as the apply path has one per group; checked after every write. */
    private final RecordCache records = new RecordCache();
    /** Milliseconds; tests move it forward to expire keys. */
    public long now = 1_700_000_000_000L;
    public Random random = new Random(42);
    private long version = 1;

    public TestStore(Path dir) {
        try {
            options = new Options().setCreateIfMissing(true);
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    public RocksDB db() {
        return db;
    }

    /**
     * A write batch as the store's commands get one (reading through and updating its record
     * cache): a test that writes the DB by hand must use this, as every writer of a group does.
     */
    public RocksKv writeBatch() {
        return RocksKv.writeBatch(db, records);
    }

    /** Runs a command; write commands are committed before this returns. */
    public Reply exec(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return exec(argv);
    }

    public Reply exec(byte[][] argv) {
        CommandSpec spec = table.lookup(argv[0]);
        boolean write = spec != null && spec.isWrite();
        Reply r;
        try (RocksKv kv = write ? writeBatch() : RocksKv.snapshot(db)) {
            ExecContext ctx = new ExecContext(GROUP, kv, now, random, () -> version++);
            r = table.execute(ctx, argv);
            if (write) {
                kv.commit(writeOptions);
            }
        }
        if (write) {
            assertCacheMatchesDb();
        }
        return r;
    }

    /** Every record the cache holds is what the DB holds (a stale entry would be a lost write). */
    public void assertCacheMatchesDb() {
        records.forEach((k, v) -> {
            try {
                assertThat(db.get(k)).as("cached record of %s", Arrays.toString(k)).isEqualTo(v);
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---- reply helpers -------------------------------------------------------------------

    public static String text(Reply r) {
        if (r instanceof Reply.Bulk b) {
            return new String(b.value(), StandardCharsets.UTF_8);
        }
        if (r instanceof Reply.Status s) {
            return s.text();
        }
        if (r == Reply.NIL || r == Reply.NIL_ARRAY) {
            return null;
        }
        if (r instanceof Reply.Dbl d) {
            return Doubles.g17(d.value());
        }
        if (r instanceof Reply.Int i) {
            return Long.toString(i.value());
        }
        throw new AssertionError("not a scalar reply: " + describe(r));
    }

    public String str(String... args) {
        return text(exec(args));
    }

    public long integer(String... args) {
        Reply r = exec(args);
        assertThat(r).as(describe(r)).isInstanceOf(Reply.Int.class);
        return ((Reply.Int) r).value();
    }

    /** The error text of a command that must fail. */
    public String error(String... args) {
        Reply r = exec(args);
        assertThat(r).as(describe(r)).isInstanceOf(Reply.Err.class);
        return ((Reply.Err) r).text();
    }

    /** The items of an array-like reply as strings (nil items as null), flattened. */
    public List<String> list(String... args) {
        return flat(exec(args));
    }

    public static List<String> flat(Reply r) {
        List<Reply> items;
        if (r instanceof Reply.Arr a) {
            items = a.items();
        } else if (r instanceof Reply.MapReply m) {
            items = m.flat();
        } else if (r instanceof Reply.SetReply s) {
            items = s.items();
        } else if (r instanceof Reply.Pairs p) {
            items = p.flat();
        } else if (r == Reply.NIL_ARRAY) {
            return null;
        } else {
            throw new AssertionError("not an array reply: " + describe(r));
        }
        List<String> out = new ArrayList<>();
        for (Reply i : items) {
            if (i instanceof Reply.Arr || i instanceof Reply.MapReply || i instanceof Reply.SetReply
                    || i instanceof Reply.Pairs) {
                out.addAll(flat(i));
            } else {
                out.add(text(i));
            }
        }
        return out;
    }

    public static String describe(Reply r) {
        if (r instanceof Reply.Bulk b) {
            return "Bulk(" + new String(b.value(), StandardCharsets.UTF_8) + ")";
        }
        if (r instanceof Reply.Arr a) {
            List<String> parts = new ArrayList<>();
            for (Reply i : a.items()) {
                parts.add(describe(i));
            }
            return "Arr" + parts;
        }
        return String.valueOf(r);
    }

    /** Every key and value of the group in order, hex-encoded (for byte-for-byte comparisons). */
    public List<String> rawContents() {
        List<String> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(KeyCodec.groupPrefix(GROUP)); it.isValid()
                    && Arrays.compareUnsigned(it.key(), KeyCodec.groupEnd(GROUP)) < 0; it.next()) {
                out.add(java.util.HexFormat.of().formatHex(it.key()) + "=" + java.util.HexFormat.of().formatHex(it.value()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        db.close();
        options.close();
        writeOptions.close();
    }
}
