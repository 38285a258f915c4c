package io.cairn.store.types;

/**
 * Key-level operations shared by every type: lookup with expiry and type checks, create,
 * update, delete (with the collection's members and the expiry index), expiry changes.
 *
 * <p>Invariants: a key has at most one metadata record; an expired record is invisible to every
 * read ({@link #get} returns null) and is replaced or deleted by the next write to the key; a
 * collection with no members does not exist; the expiry index holds exactly one entry per record
 * with an expiry.
 */
public final class Keyspace {
    /** Collections at most this big are deleted member by member; bigger ones by range. */
    static final long POINT_DELETE_LIMIT = 128;

    private final ExecContext ctx;

    Keyspace(ExecContext ctx) {
        this.ctx = ctx;
    }

    private Kv kv() {
        return ctx.kv();
    }

    public byte[] metaKey(byte[] key) {
        return KeyCodec.metaKey(ctx.group(), key);
    }

    /** The record of {@code key} even when expired, or null. */
    public Meta getRaw(byte[] key) {
        byte[] v = kv().get(metaKey(key));
        return v == null ? null : Meta.decode(v);
    }

    /** The live record of {@code key}, or null when absent or expired. */
    public Meta get(byte[] key) {
        return live(getRaw(key));
    }

    /** {@code raw} (a record as {@link #getRaw} read it) if it is live now, else null. */
    public Meta live(Meta raw) {
        return raw == null || raw.expiredAt(ctx.now()) ? null : raw;
    }

    /** Like {@link #get} but throws WRONGTYPE when the key holds another type. */
    public Meta get(byte[] key, TypeCode type) {
        Meta m = get(key);
        if (m != null && m.type != type) {
            throw Errors.wrongType();
        }
        return m;
    }

    public boolean exists(byte[] key) {
        return get(key) != null;
    }

    /** A new empty collection record (not yet written; write it with {@link #create}). */
    public Meta newCollection(TypeCode type) {
        return Meta.collection(type, ctx.newVersion());
    }

    /**
     * Writes {@code meta} as the new value of {@code key}, replacing (and cleaning up) whatever
     * the key held, live or expired. An empty collection is not written.
     */
    public void create(byte[] key, Meta meta) {
        replace(key, meta, getRaw(key));
    }

    /**
     * {@link #create} for a caller that has just read the key's record with {@link #getRaw} and
     * written nothing to the key since ({@code old}: that record, live or expired, or null): the
     * record is not looked up a second time (SET reads it to check what it replaces).
     */
    public void replace(byte[] key, Meta meta, Meta old) {
        boolean written = !(meta.type.isCollection() && meta.count == 0);
        if (old != null) {
            // The put below overwrites the meta key (a Delete first would only be one more
            // memtable entry), and an unchanged expiry index entry stays as it is.
            dropRecord(key, old, written, written ? meta.expireAt : 0);
        }
        if (!written) {
            return;
        }
        kv().put(metaKey(key), meta.encode());
        if (meta.expireAt != 0 && (old == null || old.expireAt != meta.expireAt)) {
            kv().put(KeyCodec.expireKey(ctx.group(), meta.expireAt, Slots.slot(key), key), new byte[0]);
        }
    }

    /**
     * Writes back the modified record of a live key read through {@link #get} (same type and
     * version). {@code oldExpireAt} is the expiry it was read with. A collection left empty is
     * deleted.
     */
    public void update(byte[] key, Meta meta, long oldExpireAt) {
        if (meta.type.isCollection() && meta.count <= 0) {
            delete(key);
            return;
        }
        kv().put(metaKey(key), meta.encode());
        if (oldExpireAt != meta.expireAt) {
            int slot = Slots.slot(key);
            if (oldExpireAt != 0) {
                kv().delete(KeyCodec.expireKey(ctx.group(), oldExpireAt, slot, key));
            }
            if (meta.expireAt != 0) {
                kv().put(KeyCodec.expireKey(ctx.group(), meta.expireAt, slot, key), new byte[0]);
            }
        }
    }

    /** Writes back a record whose expiry did not change. */
    public void update(byte[] key, Meta meta) {
        update(key, meta, meta.expireAt);
    }

    /** Deletes {@code key} (live or expired); returns whether it was live. */
    public boolean delete(byte[] key) {
        Meta m = getRaw(key);
        if (m == null) {
            return false;
        }
        dropRecord(key, m);
        return !m.expiredAt(ctx.now());
    }

    /** Removes the record, its members and its expiry index entry. */
    private void dropRecord(byte[] key, Meta m) {
        dropRecord(key, m, false, 0);
    }

    /**
     * Removes the record's members and its expiry index entry, and its meta key unless
     * {@code overwritten} (the caller puts a new record under it in the same command). The
     * index entry is kept when the new record has the same expiry {@code keptExpireAt} (then
     * the caller writes no new entry): the entry is keyed by expiry and key only.
     */
    private void dropRecord(byte[] key, Meta m, boolean overwritten, long keptExpireAt) {
        if (!overwritten) {
            kv().delete(metaKey(key));
        }
        if (m.expireAt != 0 && m.expireAt != keptExpireAt) {
            kv().delete(KeyCodec.expireKey(ctx.group(), m.expireAt, Slots.slot(key), key));
        }
        if (m.type.isCollection()) {
            dropMembers(Slots.slot(key), m);
        }
    }

    /**
     * Deletes every member of one collection version. Small collections are deleted member by
     * member, found by a scan that must not walk the tombstones of earlier pops: a list scans
     * only its live positions, a set's tombstones are bounded by its rewrites (SetCommands), and
     * a sorted set that has been popped from (it has live bounds) goes by range like big ones.
     */
    void dropMembers(int slot, Meta m) {
        if (m.count == 0) {
            return; // every member was deleted on its own already
        }
        byte[] prefix = KeyCodec.subPrefix(ctx.group(), slot, m.version);
        byte[] end = KeyCodec.prefixEnd(prefix);
        if (m.count > POINT_DELETE_LIMIT || m.scoreLow != null || m.scoreHigh != null) {
            kv().deleteRange(prefix, end);
            return;
        }
        byte[] from = prefix;
        if (m.type == TypeCode.LIST) {
            from = ListCommands.posKey(prefix, m.head);
            end = ListCommands.posKey(prefix, m.head + m.count);
        }
        java.util.List<byte[]> keys = new java.util.ArrayList<>();
        try (Kv.Cursor c = kv().scan(from, end)) {
            while (c.next()) {
                keys.add(c.key());
            }
        }
        for (byte[] k : keys) {
            kv().delete(k);
        }
    }

    /**
     * Moves the members of the live collection {@code key} (record {@code m}) to a fresh version
     * and range-deletes the old one with its tombstones, so later scans of the collection meet
     * none: O(members + tombstones). Suffixes, count, head and expiry stay the same (the
     * collection reads exactly as before); the record is written. Returns the new record.
     */
    public Meta rewriteMembers(byte[] key, Meta m) {
        Meta fresh = Meta.collection(m.type, ctx.newVersion());
        fresh.count = m.count;
        fresh.head = m.head;
        fresh.expireAt = m.expireAt;
        fresh.scoreLow = m.scoreLow;
        fresh.scoreHigh = m.scoreHigh;
        byte[] from = subPrefix(key, m);
        byte[] end = KeyCodec.prefixEnd(from);
        byte[] to = subPrefix(key, fresh);
        java.util.List<byte[][]> members = new java.util.ArrayList<>();
        try (Kv.Cursor c = kv().scan(from, end)) {
            while (c.next()) {
                members.add(new byte[][] {java.util.Arrays.copyOfRange(c.key(), from.length, c.key().length), c.value()});
            }
        }
        for (byte[][] kvp : members) {
            kv().put(KeyCodec.subKey(to, kvp[0]), kvp[1]);
        }
        kv().deleteRange(from, end);
        kv().put(metaKey(key), fresh.encode());
        return fresh;
    }

    /** The prefix of every member sub-key of the collection {@code key} with record {@code m}. */
    public byte[] subPrefix(byte[] key, Meta m) {
        return KeyCodec.subPrefix(ctx.group(), Slots.slot(key), m.version);
    }

    /** Sets (or with 0 removes) the expiry of a live key. */
    public void setExpire(byte[] key, Meta m, long expireAt) {
        long old = m.expireAt;
        m.expireAt = expireAt;
        update(key, m, old);
    }

    /**
     * Copies {@code src}'s value to {@code dst} (replacing it) under a fresh version, keeping the
     * expiry unless told otherwise (COPY, RENAME across slots). O(members).
     */
    public void copy(byte[] srcKey, Meta src, byte[] dstKey, long expireAt) {
        Meta dst;
        if (src.type == TypeCode.STRING) {
            dst = Meta.string(src.value, expireAt);
        } else {
            dst = Meta.collection(src.type, ctx.newVersion());
            dst.count = src.count;
            dst.head = src.head;
            dst.expireAt = expireAt;
            byte[] from = subPrefix(srcKey, src);
            byte[] to = KeyCodec.subPrefix(ctx.group(), Slots.slot(dstKey), dst.version);
            java.util.List<byte[][]> members = new java.util.ArrayList<>();
            try (Kv.Cursor c = kv().scan(from, KeyCodec.prefixEnd(from))) {
                while (c.next()) {
                    members.add(new byte[][] {c.key(), c.value()});
                }
            }
            create(dstKey, dst);
            for (byte[][] kvp : members) {
                byte[] suffix = java.util.Arrays.copyOfRange(kvp[0], from.length, kvp[0].length);
                kv().put(KeyCodec.subKey(to, suffix), kvp[1]);
            }
            return;
        }
        create(dstKey, dst);
    }

    /**
     * Moves {@code src} to {@code dst} (RENAME). Within one slot only the record moves (members
     * are keyed by slot and version, not by key name): O(1).
     */
    public void rename(byte[] srcKey, Meta src, byte[] dstKey) {
        if (Slots.slot(srcKey) == Slots.slot(dstKey) || src.type == TypeCode.STRING) {
            // drop the source record and its index entry, but keep the members
            kv().delete(metaKey(srcKey));
            if (src.expireAt != 0) {
                kv().delete(KeyCodec.expireKey(ctx.group(), src.expireAt, Slots.slot(srcKey), srcKey));
            }
            if (src.type.isCollection() && Slots.slot(srcKey) == Slots.slot(dstKey)) {
                Meta old = getRaw(dstKey);
                if (old != null) {
                    dropRecord(dstKey, old, true, src.expireAt);
                }
                kv().put(metaKey(dstKey), src.encode());
                if (src.expireAt != 0 && (old == null || old.expireAt != src.expireAt)) {
                    kv().put(KeyCodec.expireKey(ctx.group(), src.expireAt, Slots.slot(dstKey), dstKey), new byte[0]);
                }
            } else {
                create(dstKey, src);
            }
            return;
        }
        copy(srcKey, src, dstKey, src.expireAt);
        delete(srcKey);
    }
}
