package io.cairn.store.replica;

import io.cairn.raft.core.Entry;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksIterator;

/** A data DB with one group's state machine, fed entries the way the runtime feeds them. */
final class ReplicaFixture implements AutoCloseable {
    final DataDb db;
    final long group;
    ShardStateMachine sm;
    long index;
    long term = 1;

    ReplicaFixture(Path dir, long group) {
        this(dir, group, 64L << 20);
    }

    ReplicaFixture(Path dir, long group, long snapshotFileBytes) {
        this.db = DataDb.open(dir);
        this.group = group;
        this.sm = new ShardStateMachine(db, group, snapshotFileBytes);
        this.index = sm.appliedIndex();
    }

    /** The session headers (present ones) the state machine's record cache holds, by session. */
    static Map<Long, byte[]> cachedHeaders(ShardStateMachine sm) {
        Map<Long, byte[]> out = new HashMap<>();
        sm.records().forEach((k, v) -> {
            if (v != null && k.length == 17 && k[8] == KeyCodec.KIND_SESSION) {
                out.put(KeyCodec.getLong(k, 9), v);
            }
        });
        return out;
    }

    Entry entry(StoreCommand c) {
        return entry(c.encode());
    }

    Entry entry(byte[] data) {
        return Entry.normal(term, ++index, data);
    }

    /** Applies {@code commands} as one batch entry ({@link StoreCommand#encodeBatch}); their replies. */
    @SuppressWarnings("unchecked")
    List<Object> applyBatch(StoreCommand... commands) {
        return (List<Object>) sm.apply(List.of(entry(StoreCommand.encodeBatch(List.of(commands))))).get(0);
    }

    /** Applies one command as the next entry and returns its reply. */
    Reply apply(StoreCommand c) {
        return (Reply) sm.apply(List.of(entry(c))).get(0);
    }

    Reply apply(long now, String... args) {
        return apply(StoreCommand.of(now, 1, args));
    }

    /** Every key and value of the group, hex, in key order. */
    List<String> contents() {
        return contents(db, group);
    }

    static List<String> contents(DataDb db, long group) {
        List<String> out = new ArrayList<>();
        byte[] end = KeyCodec.groupEnd(group);
        try (RocksIterator it = db.rocks().newIterator()) {
            for (it.seek(KeyCodec.groupPrefix(group)); it.isValid()
                    && Arrays.compareUnsigned(it.key(), end) < 0; it.next()) {
                out.add(HexFormat.of().formatHex(it.key()) + "=" + HexFormat.of().formatHex(it.value()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        db.close();
    }
}
