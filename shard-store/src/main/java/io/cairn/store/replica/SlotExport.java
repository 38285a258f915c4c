package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.TypeCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One export of a slot range from a consistent view of a group (see
 * {@link ShardStateMachine#export}): walks the keys, or the dirty markers, of the range and cuts
 * the {@link MigrationItems} into chunks of about {@code chunkBytes} bytes and at most
 * {@link #MAX_KEYS} keys (each chunk becomes one ingest entry at the target, which gives every
 * copied collection a fresh version: at most 65536 per entry). A collection that does not fit
 * continues in MORE items of the next chunks. An item bigger than a chunk (one huge string or
 * member) goes alone. At least one chunk is sent, so the receiver always learns the index.
 */
final class SlotExport {
    /** Keys (VALUE or ABSENT items) per chunk at most. */
    static final int MAX_KEYS = 4096;

    private final long group;
    private final Kv kv;
    private final long index;
    private final int chunkBytes;
    private final Consumer<ShardStateMachine.ExportChunk> sink;
    private List<byte[]> items = new ArrayList<>();
    private long pending;
    private long keys;
    private boolean sent;

    SlotExport(long group, Kv kv, long index, int chunkBytes, Consumer<ShardStateMachine.ExportChunk> sink) {
        this.group = group;
        this.kv = kv;
        this.index = index;
        this.chunkBytes = chunkBytes;
        this.sink = sink;
    }

    void run(int first, int last, long since, Sessions sessions) {
        if (since == 0) {
            try (Kv.Cursor c = kv.scan(KeyCodec.slotPrefix(group, KeyCodec.KIND_META, first),
                    KeyCodec.slotPrefix(group, KeyCodec.KIND_META, last + 1))) {
                while (c.next()) {
                    key(KeyCodec.slotOf(c.key()), KeyCodec.userKeyOfMeta(c.key()), c.value());
                }
            }
        } else {
            try (Kv.Cursor c = kv.scan(KeyCodec.slotPrefix(group, KeyCodec.KIND_DIRTY, first),
                    KeyCodec.slotPrefix(group, KeyCodec.KIND_DIRTY, last + 1))) {
                while (c.next()) {
                    if (KeyCodec.getLong(c.value(), 0) > since) {
                        int slot = KeyCodec.slotOf(c.key());
                        byte[] key = KeyCodec.userKeyOfDirty(c.key());
                        byte[] meta = kv.get(KeyCodec.metaKey(group, slot, key));
                        if (meta == null) {
                            add(MigrationItems.absent(key), 1);
                        } else {
                            key(slot, key, meta);
                        }
                    }
                }
            }
        }
        if (sessions != null) {
            sessions.export(kv, first, last, since, item -> add(item, 0));
        }
        if (!items.isEmpty() || !sent) {
            flush();
        }
    }

    private void key(int slot, byte[] key, byte[] meta) {
        if (TypeCode.of(meta[0]) == TypeCode.STRING) {
            add(new MigrationItems.KeyItem(key, meta).bytes(), 1);
            return;
        }
        // Meta layout (frozen): type(1) expireAt(8) version(8) ...
        byte[] prefix = KeyCodec.subPrefix(group, slot, KeyCodec.getLong(meta, 9));
        MigrationItems.KeyItem item = new MigrationItems.KeyItem(key, meta);
        boolean valueSent = false;
        try (Kv.Cursor c = kv.scan(prefix, KeyCodec.prefixEnd(prefix))) {
            while (c.next()) {
                byte[] suffix = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                long size = 8L + suffix.length + c.value().length;
                if (pending + item.size() + size > chunkBytes) {
                    if (item.members() > 0) {
                        add(item.bytes(), valueSent ? 0 : 1);
                        valueSent = true;
                        if (!items.isEmpty()) {
                            flush();
                        }
                        item = new MigrationItems.KeyItem(key, null);
                    } else if (!items.isEmpty()) {
                        flush();
                    }
                }
                item.member(suffix, c.value());
            }
        }
        add(item.bytes(), valueSent ? 0 : 1);
    }

    /** Adds an item ({@code keys}: 1 for a VALUE or ABSENT item) and sends the chunk when full. */
    private void add(byte[] item, int keyCount) {
        if (!items.isEmpty() && pending + item.length > chunkBytes) {
            flush();
        }
        items.add(item);
        pending += item.length;
        keys += keyCount;
        if (pending >= chunkBytes || keys >= MAX_KEYS) {
            flush();
        }
    }

    private void flush() {
        sink.accept(new ShardStateMachine.ExportChunk(index, items, keys));
        sent = true;
        items = new ArrayList<>();
        pending = 0;
        keys = 0;
    }
}
