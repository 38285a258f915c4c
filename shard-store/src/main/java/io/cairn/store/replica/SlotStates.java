package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Slots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The slot states of one group (docs/slot-migration.md): per slot that ever took part in a
 * migration, a replicated record {@code group(8) 0x04 slot(2) → state(1) attempt(8)}
 * (docs/storage-format.md) and an in-memory copy of all of them, an array indexed by slot (one
 * shared empty array for the groups that have none). No record = {@link State#SERVED} with
 * attempt 0.
 *
 * <p>Threads: the apply thread is the only writer. Changes made by an apply batch are staged in a
 * working copy that the batch's own later commands see, and published once the batch is
 * committed ({@link #committed()}), dropped if it was not ({@link #abandoned()}), like the
 * session header cache. Readers on other threads ({@link #committed}) see the published array
 * only (a batch's changes go to a copy, so a published array is never written). {@link #anyActive()} is the fast path of every command: false while no slot of the group
 * is in a state other than SERVED (the common case), so the check costs one volatile read.
 */
final class SlotStates {
    /** Persisted codes, frozen (docs/storage-format.md). */
    enum State {
        SERVED(0), MIGRATING(1), FROZEN(2), IMPORTING(3);

        final int code;

        State(int code) {
            this.code = code;
        }

        static State of(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown slot state code " + code);
        }

        /** Client commands for the slot are refused (answered "moving"). */
        boolean refusesClients() {
            return this == FROZEN || this == IMPORTING;
        }
    }

    /**
     * One slot's record. {@code serveAfter} (IMPORTING only, 0 = none): client commands routed with
     * a map version above it are served before FINISH_TARGET (docs/slot-migration.md, "Release by
     * routed version"). Encoding, frozen: {@code state(1) attempt(8) [serveAfter(8)]}, the last
     * field only when not 0.
     */
    record Slot(State state, long attempt, long serveAfter) {
        static final Slot NONE = new Slot(State.SERVED, 0, 0);

        Slot(State state, long attempt) {
            this(state, attempt, 0);
        }

        byte[] encode() {
            byte[] b = new byte[serveAfter == 0 ? 9 : 17];
            b[0] = (byte) state.code;
            KeyCodec.putLong(b, 1, attempt);
            if (serveAfter != 0) {
                KeyCodec.putLong(b, 9, serveAfter);
            }
            return b;
        }

        static Slot decode(byte[] b) {
            return new Slot(State.of(b[0] & 0xFF), KeyCodec.getLong(b, 1), b.length >= 17 ? KeyCodec.getLong(b, 9) : 0);
        }

        /**
         * Whether a client command for the slot routed with map version {@code routed} (0 = not
         * given) is refused: FROZEN always, IMPORTING unless released by the routed version.
         */
        boolean refuses(long routed) {
            return state == State.FROZEN || (state == State.IMPORTING && (serveAfter == 0 || routed <= serveAfter));
        }
    }

    /** Shared by every group without a record (never written: a change copies it first). */
    private static final Slot[] NONE_YET = new Slot[Slots.COUNT];

    private final long group;
    /** Record per slot (null = none: SERVED, attempt 0); never written once published. */
    private volatile Slot[] published = NONE_YET;
    private volatile boolean publishedActive;
    /** Slots of {@link #published} not SERVED. */
    private int publishedActiveCount;
    /** The apply batch's copy, or null while the batch changed nothing. */
    private Slot[] working;
    /** Slots of {@link #working} not SERVED. */
    private int workingActive;

    SlotStates(long group) {
        this.group = group;
    }

    /** Reads every record of the group from {@code kv} (open, after a snapshot install). */
    void load(Kv kv) {
        Slot[] m = NONE_YET;
        int active = 0;
        byte[] from = KeyCodec.kindPrefix(group, KeyCodec.KIND_SLOT_STATE);
        try (Kv.Cursor c = kv.scan(from, KeyCodec.prefixEnd(from))) {
            while (c.next()) {
                Slot s = Slot.decode(c.value());
                if (m == NONE_YET) {
                    m = new Slot[Slots.COUNT];
                }
                m[KeyCodec.slotOf(c.key())] = s;
                active += s.state() != State.SERVED ? 1 : 0;
            }
        }
        working = null;
        publish(m, active);
    }

    private void publish(Slot[] m, int active) {
        publishedActiveCount = active;
        publishedActive = active > 0;
        published = m;
    }

    /** Whether some slot is not SERVED, as published (any thread). */
    boolean anyActive() {
        return publishedActive;
    }

    /** Whether some slot is not SERVED, with the apply batch's changes (apply thread). */
    boolean anyActiveInBatch() {
        return working == null ? publishedActive : workingActive > 0;
    }

    /** Every record with the apply batch's changes (apply thread). */
    java.util.Collection<Slot> allInBatch() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : working != null ? working : published) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The slot's state with the apply batch's changes (apply thread). */
    Slot get(int slot) {
        Slot s = (working != null ? working : published)[slot];
        return s != null ? s : Slot.NONE;
    }

    /** The slot's record as published (any thread). */
    Slot committed(int slot) {
        Slot s = published[slot];
        return s != null ? s : Slot.NONE;
    }

    /** Records a slot's new state in the batch {@code kv} (apply thread). */
    void set(Kv kv, int slot, State state, long attempt) {
        set(kv, slot, new Slot(state, attempt));
    }

    /** Records a slot's new record in the batch {@code kv} (apply thread). */
    void set(Kv kv, int slot, Slot s) {
        if (working == null) {
            working = published.clone();
            workingActive = publishedActiveCount;
        }
        Slot old = working[slot];
        working[slot] = s;
        workingActive += (s.state() != State.SERVED ? 1 : 0) - (old != null && old.state() != State.SERVED ? 1 : 0);
        kv.put(KeyCodec.slotStateKey(group, slot), s.encode());
    }

    /** The batch that made the latest changes was committed. */
    void committed() {
        if (working != null) {
            publish(working, workingActive);
            working = null;
        }
    }

    /** The batch that made the latest changes was not written. */
    void abandoned() {
        working = null;
    }

    /** The published records by slot (tests, Status). */
    Map<Integer, Slot> all() {
        Map<Integer, Slot> m = new HashMap<>();
        Slot[] p = published;
        for (int i = 0; i < p.length; i++) {
            if (p[i] != null) {
                m.put(i, p[i]);
            }
        }
        return m;
    }
}
