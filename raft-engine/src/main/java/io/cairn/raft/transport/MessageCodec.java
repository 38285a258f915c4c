package io.cairn.raft.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.transport.proto.RaftMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Converts between the core's Raft types and their protobuf mirrors in
 * {@code raft_transport.proto}.
 *
 * <p>Enums travel as their frozen {@code code()} numbers ({@link MessageType#code()},
 * {@link EntryType#code()}), never by name or ordinal. Encoding does not copy byte arrays: the
 * core's entries, contexts and snapshot data are immutable by contract and are wrapped as they
 * are. Decoding copies them out of the (possibly pooled) wire buffers.
 *
 * <p>Decoding rejects what the core could not represent (an unknown type number) with an
 * {@link IllegalArgumentException}; everything else the core accepts as-is.
 */
public final class MessageCodec {

    private MessageCodec() {
    }

    // ---- GroupMessage ----

    public static io.cairn.raft.transport.proto.GroupMessage toProto(GroupMessage m) {
        return io.cairn.raft.transport.proto.GroupMessage.newBuilder()
                .setGroupId(m.groupId())
                .setMessage(toProto(m.message()))
                .build();
    }

    public static GroupMessage fromProto(io.cairn.raft.transport.proto.GroupMessage p) {
        return new GroupMessage(p.getGroupId(), fromProto(p.getMessage()));
    }

    // ---- Message ----

    public static RaftMessage toProto(Message m) {
        RaftMessage.Builder b = RaftMessage.newBuilder()
                .setTypeValue(m.type().code())
                .setTo(m.to())
                .setFrom(m.from())
                .setTerm(m.term())
                .setLogTerm(m.logTerm())
                .setIndex(m.index())
                .setCommit(m.commit())
                .setReject(m.reject())
                .setRejectHint(m.rejectHint());
        for (Entry e : m.entries()) {
            b.addEntries(toProto(e));
        }
        if (m.snapshot() != null) {
            b.setSnapshot(toProto(m.snapshot()));
        }
        if (m.context().length > 0) {
            b.setContext(wrap(m.context()));
        }
        return b.build();
    }

    public static Message fromProto(RaftMessage p) {
        Message.Builder b = Message.builder(MessageType.ofCode(p.getTypeValue()))
                .to(p.getTo())
                .from(p.getFrom())
                .term(p.getTerm())
                .logTerm(p.getLogTerm())
                .index(p.getIndex())
                .commit(p.getCommit())
                .reject(p.getReject())
                .rejectHint(p.getRejectHint());
        if (p.getEntriesCount() > 0) {
            List<Entry> entries = new ArrayList<>(p.getEntriesCount());
            for (io.cairn.raft.transport.proto.Entry e : p.getEntriesList()) {
                entries.add(fromProto(e));
            }
            b.entries(entries);
        }
        if (p.hasSnapshot()) {
            b.snapshot(fromProto(p.getSnapshot()));
        }
        if (!p.getContext().isEmpty()) {
            b.context(p.getContext().toByteArray());
        }
        return b.build();
    }

    // ---- Entry ----

    public static io.cairn.raft.transport.proto.Entry toProto(Entry e) {
        return io.cairn.raft.transport.proto.Entry.newBuilder()
                .setTerm(e.term())
                .setIndex(e.index())
                .setTypeValue(e.type().code())
                .setData(wrap(e.data()))
                .build();
    }

    public static Entry fromProto(io.cairn.raft.transport.proto.Entry p) {
        return new Entry(p.getTerm(), p.getIndex(), EntryType.ofCode(p.getTypeValue()),
                p.getData().toByteArray());
    }

    // ---- Snapshot ----

    public static io.cairn.raft.transport.proto.Snapshot toProto(Snapshot s) {
        return io.cairn.raft.transport.proto.Snapshot.newBuilder()
                .setMetadata(toProto(s.metadata()))
                .setData(wrap(s.data()))
                .build();
    }

    public static Snapshot fromProto(io.cairn.raft.transport.proto.Snapshot p) {
        return new Snapshot(fromProto(p.getMetadata()), p.getData().toByteArray());
    }

    public static io.cairn.raft.transport.proto.SnapshotMetadata toProto(SnapshotMetadata m) {
        return io.cairn.raft.transport.proto.SnapshotMetadata.newBuilder()
                .setIndex(m.index())
                .setTerm(m.term())
                .setConfState(toProto(m.confState()))
                .build();
    }

    public static SnapshotMetadata fromProto(io.cairn.raft.transport.proto.SnapshotMetadata p) {
        return new SnapshotMetadata(p.getIndex(), p.getTerm(), fromProto(p.getConfState()));
    }

    // ---- ConfState ----

    /** Ids are written in ascending order, so equal memberships encode to equal bytes. */
    public static io.cairn.raft.transport.proto.ConfState toProto(ConfState c) {
        return io.cairn.raft.transport.proto.ConfState.newBuilder()
                .addAllVoters(sorted(c.voters()))
                .addAllVotersOutgoing(sorted(c.votersOutgoing()))
                .addAllLearners(sorted(c.learners()))
                .addAllLearnersNext(sorted(c.learnersNext()))
                .addAllObservers(sorted(c.observers()))
                .setAutoLeave(c.autoLeave())
                .build();
    }

    public static ConfState fromProto(io.cairn.raft.transport.proto.ConfState p) {
        return new ConfState(set(p.getVotersList()), set(p.getVotersOutgoingList()),
                set(p.getLearnersList()), set(p.getLearnersNextList()), set(p.getObserversList()),
                p.getAutoLeave());
    }

    private static List<Long> sorted(Set<Long> ids) {
        List<Long> l = new ArrayList<>(ids);
        l.sort(null);
        return l;
    }

    private static Set<Long> set(Collection<Long> ids) {
        return new HashSet<>(ids);
    }

    private static ByteString wrap(byte[] bytes) {
        return bytes.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes);
    }
}
