package io.cairn.store.replica;

import io.cairn.store.replica.SlotStates.Slot;
import io.cairn.store.replica.SlotStates.State;
import io.cairn.store.types.Args;
import io.cairn.store.types.ExecContext;
import io.cairn.store.types.KeyCodec;
import io.cairn.store.types.Kv;
import io.cairn.store.types.Meta;
import io.cairn.store.types.Reply;
import io.cairn.store.types.Slots;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The apply side of a slot migration's internal commands (docs/slot-migration.md), proposed by
 * the group's leader for {@code StoreControl.MigrateSlots}:
 *
 * <ul>
 *   <li>{@code cairn.slot-step STEP FIRST LAST ATTEMPT [SERVE_AFTER]} — one state change of the
 *       slots {@code FIRST..LAST} ({@link #STEPS}); replies OK (FREEZE: the entry's index) or an
 *       error that changes nothing. {@code SERVE_AFTER} (prepare-target only): the map version
 *       above which client commands routed to the target are served before finish-target.</li>
 *   <li>{@code cairn.slot-ingest FIRST LAST ATTEMPT ITEM...} — keys (and sessions) copied from
 *       the source ({@link MigrationItems}); only into slots IMPORTING with exactly that attempt.
 *       Replies the number of keys written or deleted.</li>
 * </ul>
 *
 * Attempts: a step whose attempt is lower than a slot's recorded one is refused, so an old
 * driver cannot undo a newer one's work; PREPARE_* record the attempt, the others record it when
 * newer. Every step is idempotent.
 */
final class SlotSteps {
    static final String STEP = "cairn.slot-step";
    static final String INGEST = "cairn.slot-ingest";
    /** Step names of {@code cairn.slot-step}: the MigrationStep names, lower case, '-' for '_'. */
    static final List<String> STEPS = List.of("prepare-target", "prepare-source", "freeze", "finish-target",
            "finish-source", "abort-source", "abort-target");

    private final long group;
    private final SlotStates states;
    private final Sessions sessions;

    SlotSteps(long group, SlotStates states, Sessions sessions) {
        this.group = group;
        this.states = states;
        this.sessions = sessions;
    }

    /** The step's name in {@code cairn.slot-step} for a MigrationStep enum name (PREPARE_TARGET...). */
    static String stepName(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    Reply step(ExecContext ctx, byte[][] argv, long index) {
        if (argv.length != 5 && argv.length != 6) {
            return err("wrong number of arguments for " + STEP);
        }
        String step = Args.str(argv[1]);
        int first;
        int last;
        long attempt;
        long serveAfter;
        try {
            first = slotArg(argv[2]);
            last = slotArg(argv[3]);
            attempt = Args.parseLong(argv[4]);
            serveAfter = argv.length == 6 ? Args.parseLong(argv[5]) : 0;
        } catch (RuntimeException e) {
            return err("bad " + STEP + " arguments");
        }
        if (first > last || !STEPS.contains(step)) {
            return err("bad " + STEP + " " + step + " " + first + "-" + last);
        }
        for (int slot = first; slot <= last; slot++) {
            Slot s = states.get(slot);
            if (attempt < s.attempt()) {
                return err("slot " + slot + ": attempt " + attempt + " is older than attempt " + s.attempt());
            }
            String refused = refusal(step, s, attempt);
            if (refused != null) {
                return err("slot " + slot + " is " + s.state() + ": " + step + " refused (" + refused + ")");
            }
        }
        switch (step) {
            case "prepare-target" -> {
                // repeated in the same attempt: the copy made so far stays (only serveAfter may change)
                boolean again = allAre(first, last, State.IMPORTING, attempt);
                for (int slot = first; slot <= last; slot++) {
                    states.set(ctx.kv(), slot, new Slot(State.IMPORTING, attempt, serveAfter));
                }
                if (!again) {
                    deleteData(ctx.kv(), first, last);
                }
            }
            case "prepare-source" -> {
                for (int slot = first; slot <= last; slot++) {
                    State now = states.get(slot).state();
                    states.set(ctx.kv(), slot, now == State.FROZEN ? State.FROZEN : State.MIGRATING, attempt);
                }
            }
            case "freeze" -> {
                setAll(ctx.kv(), first, last, State.FROZEN, attempt);
                return Reply.integer(index);
            }
            case "finish-target" -> setAll(ctx.kv(), first, last, State.SERVED, attempt);
            case "finish-source" -> {
                setAll(ctx.kv(), first, last, State.FROZEN, attempt);
                deleteData(ctx.kv(), first, last);
            }
            case "abort-source" -> {
                setAll(ctx.kv(), first, last, State.SERVED, attempt);
                deleteMarkers(ctx.kv(), first, last);
            }
            case "abort-target" -> {
                boolean anything = false;
                for (int slot = first; slot <= last; slot++) {
                    anything |= !states.get(slot).equals(Slot.NONE);
                }
                if (anything) { // a target never prepared has nothing to clean
                    setAll(ctx.kv(), first, last, State.FROZEN, attempt);
                    deleteData(ctx.kv(), first, last);
                }
            }
            default -> throw new IllegalStateException(step);
        }
        return Reply.OK;
    }

    /** Why {@code step} may not act on a slot in state {@code s}, or null. */
    private static String refusal(String step, Slot s, long attempt) {
        State st = s.state();
        return switch (step) {
            case "prepare-target" -> st == State.MIGRATING ? "it is a migration's source" : null;
            case "prepare-source" -> st == State.IMPORTING ? "it is a migration's target" : null;
            case "freeze" -> st == State.MIGRATING || st == State.FROZEN ? null : "not migrating";
            case "finish-target" -> st == State.IMPORTING || st == State.SERVED ? null : "not importing";
            case "finish-source" -> st == State.FROZEN ? null : "not frozen";
            case "abort-source" -> st == State.IMPORTING ? "it is a migration's target" : null;
            case "abort-target" -> st == State.IMPORTING || st == State.FROZEN || s.equals(Slot.NONE) ? null
                    : "it serves the slot";
            default -> "unknown step";
        };
    }

    private boolean allAre(int first, int last, State state, long attempt) {
        for (int slot = first; slot <= last; slot++) {
            Slot s = states.get(slot);
            if (s.state() != state || s.attempt() != attempt) {
                return false;
            }
        }
        return true;
    }

    private void setAll(Kv kv, int first, int last, State state, long attempt) {
        for (int slot = first; slot <= last; slot++) {
            states.set(kv, slot, state, attempt);
        }
    }

    /**
     * Deletes the slots' data: keys (0x10), members (0x11), dirty and session markers (0x05,
     * 0x06) by range, and the expiry index entries (0x12, ordered by time, not slot) of the keys
     * with a TTL one by one, found by a scan of the slots' metadata records: O(keys of the slots)
     * in one batch.
     */
    private void deleteData(Kv kv, int first, int last) {
        List<byte[]> expiries = new ArrayList<>();
        try (Kv.Cursor c = kv.scan(KeyCodec.slotPrefix(group, KeyCodec.KIND_META, first),
                KeyCodec.slotPrefix(group, KeyCodec.KIND_META, last + 1))) {
            while (c.next()) {
                // Meta layout (frozen, docs/storage-format.md): type(1) expireAt(8) ...; 0 = no TTL.
                long expireAt = KeyCodec.getLong(c.value(), 1);
                if (expireAt != 0) {
                    expiries.add(KeyCodec.expireKey(group, expireAt, KeyCodec.slotOf(c.key()),
                            KeyCodec.userKeyOfMeta(c.key())));
                }
            }
        }
        for (byte[] k : expiries) {
            kv.delete(k);
        }
        deleteRange(kv, KeyCodec.KIND_META, first, last);
        deleteRange(kv, KeyCodec.KIND_SUB, first, last);
        deleteMarkers(kv, first, last);
    }

    /** The slots' dirty markers (0x05) and session markers (0x06), by range. */
    private void deleteMarkers(Kv kv, int first, int last) {
        deleteRange(kv, KeyCodec.KIND_DIRTY, first, last);
        deleteRange(kv, KeyCodec.KIND_SESSION_MARKER, first, last);
    }

    private void deleteRange(Kv kv, byte kind, int first, int last) {
        kv.deleteRange(KeyCodec.slotPrefix(group, kind, first), KeyCodec.slotPrefix(group, kind, last + 1));
    }

    Reply ingest(ExecContext ctx, byte[][] argv) {
        if (argv.length < 4) {
            return err("wrong number of arguments for " + INGEST);
        }
        int first;
        int last;
        long attempt;
        List<MigrationItems.Item> items = new ArrayList<>(argv.length - 4);
        try {
            first = slotArg(argv[1]);
            last = slotArg(argv[2]);
            attempt = Args.parseLong(argv[3]);
            for (int i = 4; i < argv.length; i++) {
                items.add(MigrationItems.decode(argv[i]));
            }
        } catch (RuntimeException e) {
            return err("bad " + INGEST + " entry: " + e.getMessage());
        }
        for (int slot = first; slot <= last; slot++) {
            Slot s = states.get(slot);
            if (s.state() != State.IMPORTING || s.attempt() != attempt) {
                return err("slot " + slot + " is " + s.state() + " of attempt " + s.attempt() + ", not IMPORTING of attempt "
                        + attempt + ": ingest refused");
            }
        }
        for (MigrationItems.Item it : items) {
            if (it.key() != null) {
                int slot = Slots.slot(it.key());
                if (slot < first || slot > last) {
                    return err("key of slot " + slot + " outside " + first + "-" + last + ": ingest refused");
                }
                if (it.kind() == MigrationItems.MORE) {
                    Meta m = ctx.keys().getRaw(it.key());
                    if (m == null || !m.type.isCollection()) {
                        return err("members of a key not ingested before: ingest refused");
                    }
                }
            }
        }
        long keys = 0;
        for (MigrationItems.Item it : items) {
            switch (it.kind()) {
                case MigrationItems.ABSENT -> {
                    ctx.keys().delete(it.key());
                    keys++;
                }
                case MigrationItems.VALUE -> {
                    Meta m = Meta.decode(it.meta());
                    if (m.type.isCollection()) {
                        m.version = ctx.newVersion(); // this group's own, never reused
                        m.removed = 0; // the copy carries no tombstones
                    }
                    ctx.keys().create(it.key(), m);
                    putMembers(ctx.kv(), it, m);
                    keys++;
                }
                case MigrationItems.MORE -> putMembers(ctx.kv(), it, ctx.keys().getRaw(it.key()));
                case MigrationItems.SESSION -> sessions.merge(ctx.kv(), it.session(), it.header(), it.replySeqs(),
                        it.replies());
                default -> throw new IllegalStateException("item kind " + it.kind());
            }
        }
        return Reply.integer(keys);
    }

    private void putMembers(Kv kv, MigrationItems.Item it, Meta m) {
        if (it.members().isEmpty()) {
            return;
        }
        byte[] prefix = KeyCodec.subPrefix(group, Slots.slot(it.key()), m.version);
        for (byte[][] member : it.members()) {
            kv.put(KeyCodec.subKey(prefix, member[0]), member[1]);
        }
    }

    private static int slotArg(byte[] b) {
        long v = Args.parseLong(b);
        if (v < 0 || v >= Slots.COUNT) {
            throw new IllegalArgumentException("slot " + v);
        }
        return (int) v;
    }

    private static Reply err(String text) {
        return new Reply.Err("ERR " + text);
    }
}
