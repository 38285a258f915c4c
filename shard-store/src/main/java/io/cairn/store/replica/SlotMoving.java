package io.cairn.store.replica;

/**
 * A client command was refused because one of its keys' slots is moving: {@code FROZEN} at a
 * migration's source or {@code IMPORTING} at its target (docs/slot-migration.md). The store
 * answers it {@code wrong_group { moving = true }}; the gateway retries it elsewhere or later with
 * the same session and sequence number (the refusal is not remembered by the session). Thrown by
 * reads; returned (the one {@link #INSTANCE}) as the apply result of a refused write.
 */
public final class SlotMoving extends RuntimeException {
    public static final SlotMoving INSTANCE = new SlotMoving();

    private SlotMoving() {
        super("slot moving", null, false, false);
    }
}
