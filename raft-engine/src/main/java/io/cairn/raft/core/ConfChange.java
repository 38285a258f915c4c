package io.cairn.raft.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A membership change proposal: zero or more single changes applied together.
 * An empty list of changes means "leave the joint configuration".
 *
 * <p>Wire format (frozen, big-endian): byte version(1), byte transition code, int count,
 * count × (byte type code, long node id), int context length, context bytes.
 */
public record ConfChange(ConfChangeTransition transition, List<ConfChangeSingle> changes, byte[] context) {

    private static final byte VERSION = 1;

    public ConfChange {
        if (transition == null) {
            transition = ConfChangeTransition.AUTO;
        }
        changes = List.copyOf(changes);
        if (context == null) {
            context = new byte[0];
        }
    }

    public static ConfChange of(ConfChangeSingle... changes) {
        return new ConfChange(ConfChangeTransition.AUTO, List.of(changes), null);
    }

    /** The change that leaves a joint configuration. */
    public static ConfChange leaveJoint() {
        return new ConfChange(ConfChangeTransition.AUTO, List.of(), null);
    }

    public boolean isLeaveJoint() {
        return changes.isEmpty();
    }

    /**
     * Whether applying this change enters a joint configuration, and whether that joint
     * configuration is left automatically (etcd's {@code EnterJoint}).
     */
    public boolean entersJoint() {
        return transition != ConfChangeTransition.AUTO || changes.size() > 1;
    }

    public boolean autoLeave() {
        return entersJoint() && transition != ConfChangeTransition.JOINT_EXPLICIT;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + 4 + changes.size() * 9 + 4 + context.length);
        b.put(VERSION).put((byte) transition.code()).putInt(changes.size());
        for (ConfChangeSingle c : changes) {
            b.put((byte) c.type().code()).putLong(c.nodeId());
        }
        b.putInt(context.length).put(context);
        return b.array();
    }

    public static ConfChange decode(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown conf change version: " + version);
            }
            ConfChangeTransition transition = ConfChangeTransition.ofCode(b.get());
            int n = b.getInt();
            if (n < 0 || n > b.remaining() / 9) {
                throw new IllegalArgumentException("bad conf change count: " + n);
            }
            List<ConfChangeSingle> changes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                changes.add(new ConfChangeSingle(ConfChangeType.ofCode(b.get()), b.getLong()));
            }
            int len = b.getInt();
            if (len < 0 || len != b.remaining()) {
                throw new IllegalArgumentException("bad conf change context length: " + len);
            }
            byte[] ctx = new byte[len];
            b.get(ctx);
            return new ConfChange(transition, changes, ctx);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated conf change", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && transition == c.transition && changes.equals(c.changes)
                && java.util.Arrays.equals(context, c.context);
    }

    @Override
    public int hashCode() {
        return transition.hashCode() * 31 + changes.hashCode();
    }

    @Override
    public String toString() {
        return "ConfChange{" + transition + " " + changes + "}";
    }
}
