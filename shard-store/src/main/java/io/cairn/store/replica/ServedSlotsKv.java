package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import java.util.function.IntPredicate;

/**
 * A read-only view of a group's data for keyless reads ({@code KEYS}, {@code SCAN},
 * {@code DBSIZE}, {@code RANDOMKEY}) while some of its slots are in a migration: scans skip the
 * key records (kind 0x10) of slots the group does not serve — a target's IMPORTING copy and a
 * source's FROZEN keys (docs/slot-migration.md) — so a key is listed and counted by one group
 * only. Point reads pass through (they name a key, whose slot the caller already checked).
 */
final class ServedSlotsKv implements Kv {
    private final Kv kv;
    private final IntPredicate refused;

    ServedSlotsKv(Kv kv, IntPredicate refused) {
        this.kv = kv;
        this.refused = refused;
    }

    @Override
    public byte[] get(byte[] key) {
        return kv.get(key);
    }

    @Override
    public Cursor scan(byte[] from, byte[] to, boolean reverse) {
        Cursor c = kv.scan(from, to, reverse);
        return new Cursor() {
            @Override
            public boolean next() {
                while (c.next()) {
                    byte[] k = c.key();
                    if (k.length < 11 || k[8] != KeyCodec.KIND_META || !refused.test(KeyCodec.slotOf(k))) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public byte[] key() {
                return c.key();
            }

            @Override
            public byte[] value() {
                return c.value();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    @Override
    public void put(byte[] key, byte[] value) {
        throw new UnsupportedOperationException("read-only view");
    }

    @Override
    public void delete(byte[] key) {
        throw new UnsupportedOperationException("read-only view");
    }

    @Override
    public void deleteRange(byte[] from, byte[] to) {
        throw new UnsupportedOperationException("read-only view");
    }

    @Override
    public boolean writable() {
        return false;
    }
}
