package io.cairn.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.cairn.raft.core.ConfChange;
import io.cairn.raft.core.ConfChangeSingle;
import io.cairn.raft.core.ConfChangeTransition;
import io.cairn.raft.core.ConfState;
import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import io.cairn.raft.core.Message;
import io.cairn.raft.core.MessageType;
import io.cairn.raft.core.Snapshot;
import io.cairn.raft.core.SnapshotMetadata;
import io.cairn.raft.transport.proto.MessageBatch;
import io.cairn.raft.transport.proto.RaftMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Round trips core → proto → bytes → proto → core. Every test goes through the serialized bytes,
 * not just the builder objects, so what is checked is what crosses the wire.
 */
@DisplayName("MessageCodec (core <-> protobuf)")
class MessageCodecTest {

    /** Through the wire: encode, serialize, parse, decode. */
    private static GroupMessage roundTrip(GroupMessage m) {
        byte[] wire = MessageCodec.toProto(m).toByteArray();
        try {
            return MessageCodec.fromProto(io.cairn.raft.transport.proto.GroupMessage.parseFrom(wire));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static Message roundTrip(Message m) {
        return roundTrip(new GroupMessage(1, m)).message();
    }

    /** Message has no equals (it is compared by identity in the core); compare every field. */
    static void assertSameMessage(Message actual, Message expected) {
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.to()).isEqualTo(expected.to());
        assertThat(actual.from()).isEqualTo(expected.from());
        assertThat(actual.term()).isEqualTo(expected.term());
        assertThat(actual.logTerm()).isEqualTo(expected.logTerm());
        assertThat(actual.index()).isEqualTo(expected.index());
        assertThat(actual.entries()).isEqualTo(expected.entries());
        assertThat(actual.commit()).isEqualTo(expected.commit());
        assertThat(actual.reject()).isEqualTo(expected.reject());
        assertThat(actual.rejectHint()).isEqualTo(expected.rejectHint());
        assertThat(actual.context()).isEqualTo(expected.context());
        if (expected.snapshot() == null) {
            assertThat(actual.snapshot()).isNull();
        } else {
            assertThat(actual.snapshot()).isNotNull();
            assertThat(actual.snapshot().metadata()).isEqualTo(expected.snapshot().metadata());
            assertThat(actual.snapshot().metadata().confState().equivalent(expected.snapshot().metadata().confState()))
                    .isTrue();
            assertThat(actual.snapshot().data()).isEqualTo(expected.snapshot().data());
        }
    }

    private static Message.Builder everyField(MessageType type) {
        return Message.builder(type)
                .to(2).from(3).term(7).logTerm(6).index(100).commit(99)
                .reject(true).rejectHint(42)
                .context("ctx".getBytes(StandardCharsets.UTF_8))
                .entries(List.of(Entry.normal(7, 101, new byte[] {1, 2, 3})));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MessageType.class)
    @DisplayName("every message type keeps every field")
    void everyMessageType(MessageType type) {
        Message m = everyField(type).build();
        assertSameMessage(roundTrip(m), m);

        Message bare = Message.builder(type).build();
        assertSameMessage(roundTrip(bare), bare);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MessageType.class)
    @DisplayName("proto MessageType numbers and names are the core's frozen codes")
    void messageTypeNumbersMatchFrozenCodes(MessageType type) {
        io.cairn.raft.transport.proto.MessageType p =
                io.cairn.raft.transport.proto.MessageType.forNumber(type.code());
        assertThat(p).isNotNull();
        assertThat(p.name()).isEqualTo("MESSAGE_TYPE_" + type.name());
    }

    @Test
    @DisplayName("the proto enums have no value the core lacks")
    void noExtraProtoEnumValues() {
        assertThat(io.cairn.raft.transport.proto.MessageType.values())
                .filteredOn(v -> v != io.cairn.raft.transport.proto.MessageType.UNRECOGNIZED)
                .hasSize(MessageType.values().length);
        assertThat(io.cairn.raft.transport.proto.EntryType.values())
                .filteredOn(v -> v != io.cairn.raft.transport.proto.EntryType.UNRECOGNIZED)
                .extracting(io.cairn.raft.transport.proto.EntryType::getNumber)
                .containsExactlyInAnyOrder(Arrays.stream(EntryType.values()).map(EntryType::code).toArray(Integer[]::new));
        for (EntryType t : EntryType.values()) {
            assertThat(io.cairn.raft.transport.proto.EntryType.forNumber(t.code()).name())
                    .isEqualTo("ENTRY_TYPE_" + t.name());
        }
    }

    @Test
    @DisplayName("entries of both types, empty and non-empty payloads, keep order and bytes")
    void entriesOfBothTypes() {
        byte[] confChange = new ConfChange(ConfChangeTransition.JOINT_EXPLICIT,
                List.of(ConfChangeSingle.addVoter(4), ConfChangeSingle.addObserver(9), ConfChangeSingle.remove(1)),
                new byte[] {7}).encode();
        List<Entry> entries = List.of(
                Entry.normal(5, 10, new byte[0]),
                Entry.normal(5, 11, "set k v".getBytes(StandardCharsets.UTF_8)),
                new Entry(5, 12, EntryType.CONF_CHANGE, confChange),
                new Entry(6, 13, EntryType.CONF_CHANGE, new byte[0]),
                Entry.normal(6, 14, new byte[64 * 1024]));
        Message m = Message.builder(MessageType.APP).to(2).from(1).term(6).logTerm(5).index(9).commit(11)
                .entries(entries).build();

        Message back = roundTrip(m);

        assertSameMessage(back, m);
        assertThat(back.entries()).extracting(Entry::type)
                .containsExactly(EntryType.NORMAL, EntryType.NORMAL, EntryType.CONF_CHANGE, EntryType.CONF_CHANGE,
                        EntryType.NORMAL);
        assertThat(ConfChange.decode(back.entries().get(2).data()).changes())
                .containsExactly(ConfChangeSingle.addVoter(4), ConfChangeSingle.addObserver(9), ConfChangeSingle.remove(1));
    }

    @Test
    @DisplayName("an empty context stays empty and is not written; a non-empty one is kept byte for byte")
    void context() {
        Message empty = Message.builder(MessageType.READ_INDEX).to(1).from(2).term(3).build();
        assertThat(MessageCodec.toProto(empty).hasSnapshot()).isFalse();
        assertThat(MessageCodec.toProto(empty).getContext()).isEqualTo(ByteString.EMPTY);
        assertThat(roundTrip(empty).context()).isEmpty();

        byte[] ctx = new byte[256];
        for (int i = 0; i < ctx.length; i++) {
            ctx[i] = (byte) i;
        }
        Message withCtx = Message.builder(MessageType.READ_INDEX_RESP).to(2).from(1).term(3).index(77)
                .context(ctx).build();
        assertThat(roundTrip(withCtx).context()).isEqualTo(ctx);
    }

    @Test
    @DisplayName("a SNAP message keeps a joint ConfState with learners, learners_next, observers and auto-leave")
    void snapshotWithJointConfStateAndObservers() {
        ConfState cs = new ConfState(Set.of(1L, 2L, 3L), Set.of(1L, 2L, 4L), Set.of(5L, 6L), Set.of(4L),
                Set.of(6L), true);
        Snapshot snap = new Snapshot(new SnapshotMetadata(1_000_000, 42, cs), "descriptor".getBytes(StandardCharsets.UTF_8));
        Message m = Message.builder(MessageType.SNAP).to(4).from(1).term(43).snapshot(snap).build();

        Message back = roundTrip(m);

        assertSameMessage(back, m);
        assertThat(back.snapshot().metadata().confState().isJoint()).isTrue();
        assertThat(back.snapshot().metadata().confState().observers()).containsExactly(6L);
        assertThat(back.snapshot().metadata().confState().autoLeave()).isTrue();
    }

    @Test
    @DisplayName("no snapshot stays null; the empty snapshot stays present and empty")
    void snapshotPresence() {
        Message none = Message.builder(MessageType.APP).build();
        assertThat(roundTrip(none).snapshot()).isNull();

        Message empty = Message.builder(MessageType.SNAP).snapshot(Snapshot.EMPTY).build();
        Snapshot back = roundTrip(empty).snapshot();
        assertThat(back).isNotNull();
        assertThat(back.isEmpty()).isTrue();
        assertThat(back.metadata()).isEqualTo(SnapshotMetadata.EMPTY);
        assertThat(back.data()).isEmpty();
    }

    @Test
    @DisplayName("64-bit values survive at both ends of the range (uint64 on the wire)")
    void extremeValues() {
        Message m = Message.builder(MessageType.HEARTBEAT)
                .to(Long.MAX_VALUE).from(-1L).term(Long.MIN_VALUE).logTerm(1).index(-2L).commit(Long.MAX_VALUE)
                .rejectHint(-1L).build();
        assertSameMessage(roundTrip(m), m);

        GroupMessage g = new GroupMessage(-1L, m);
        assertThat(roundTrip(g).groupId()).isEqualTo(-1L);
        assertThat(roundTrip(new GroupMessage(0, m)).groupId()).isZero();
    }

    @Test
    @DisplayName("equal memberships encode to equal bytes, whatever the set order")
    void confStateEncodingIsDeterministic() {
        Set<Long> a = new LinkedHashSet<>(List.of(3L, 1L, 2L));
        Set<Long> b = new LinkedHashSet<>(List.of(1L, 2L, 3L));
        ConfState x = new ConfState(a, Set.of(), a, Set.of(), Set.of(), false);
        ConfState y = new ConfState(b, Set.of(), b, Set.of(), Set.of(), false);
        assertThat(MessageCodec.toProto(x).toByteArray()).isEqualTo(MessageCodec.toProto(y).toByteArray());
        assertThat(MessageCodec.toProto(x).getVotersList()).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("a batch of many groups keeps group ids and order")
    void batchOfManyGroups() throws InvalidProtocolBufferException {
        MessageBatch.Builder batch = MessageBatch.newBuilder().setFromNode(3);
        for (int i = 0; i < 100; i++) {
            batch.addMessages(MessageCodec.toProto(new GroupMessage(i % 7,
                    Message.builder(MessageType.HEARTBEAT).to(1).from(3).term(i).build())));
        }
        MessageBatch back = MessageBatch.parseFrom(batch.build().toByteArray());
        assertThat(back.getFromNode()).isEqualTo(3);
        for (int i = 0; i < 100; i++) {
            GroupMessage g = MessageCodec.fromProto(back.getMessages(i));
            assertThat(g.groupId()).isEqualTo(i % 7);
            assertThat(g.message().term()).isEqualTo(i);
        }
    }

    @Test
    @DisplayName("unknown type numbers are refused, not mapped to something else")
    void unknownNumbersRejected() {
        RaftMessage unknownType = RaftMessage.newBuilder().setTypeValue(99).build();
        assertThatThrownBy(() -> MessageCodec.fromProto(unknownType))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");

        RaftMessage unknownEntryType = RaftMessage.newBuilder().setTypeValue(MessageType.APP.code())
                .addEntries(io.cairn.raft.transport.proto.Entry.newBuilder().setTypeValue(5)).build();
        assertThatThrownBy(() -> MessageCodec.fromProto(unknownEntryType))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5");
    }

    @Test
    @DisplayName("decoded bytes are copies: the wire buffer can be reused")
    void decodedBytesAreCopies() throws InvalidProtocolBufferException {
        byte[] data = {9, 9, 9};
        Message m = Message.builder(MessageType.APP).entries(List.of(Entry.normal(1, 1, data))).context(data).build();
        byte[] wire = MessageCodec.toProto(m).toByteArray();
        Message back = MessageCodec.fromProto(RaftMessage.parseFrom(wire));
        Arrays.fill(wire, (byte) 0);
        assertThat(back.entries().get(0).data()).containsExactly(9, 9, 9);
        assertThat(back.context()).containsExactly(9, 9, 9);
    }
}
