package io.cairn.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Bad configuration and bad persisted bytes are refused with a message naming the problem. */
class InputValidationTest {

    private static void refused(UnaryOperator<RaftConfig> change, String message) {
        RaftConfig c = change.apply(RaftConfig.of(1, new MemoryStorage()));
        assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void raftConfigNamesTheBadValue() {
        RaftConfig.of(1, new MemoryStorage()).validate();
        refused(c -> c.id(0), "cannot use 0 as id");
        refused(c -> c.storage(null), "storage cannot be null");
        refused(c -> c.heartbeatTick(0), "heartbeat tick must be greater than 0, got 0");
        refused(c -> c.electionTick(2).heartbeatTick(2), "election tick (2) must be greater than heartbeat tick (2)");
        refused(c -> c.maxInflightMsgs(0), "max inflight messages must be greater than 0, got 0");
        refused(c -> c.maxInflightBytes(-1), "max inflight bytes must be >= 0");
        refused(c -> c.maxSizePerMsg(1000).maxInflightBytes(999), "max inflight bytes (999) must be >= max message size (1000)");
        refused(c -> c.maxCommittedSizePerReady(0), "size limits must be positive");
        refused(c -> c.maxUncommittedEntriesSize(-1), "max uncommitted entries size must be >= 0");
        refused(c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED).checkQuorum(false), "CheckQuorum must be enabled");
        RaftConfig.of(1, new MemoryStorage()).disableProposalForwarding(true).validate();
    }

    @Test
    void confChangeDecodingRefusesCorruptBytes() {
        ConfChange cc = new ConfChange(null, java.util.List.of(new ConfChangeSingle(ConfChangeType.ADD_VOTER, 4)),
                new byte[] {1, 2});
        byte[] good = cc.encode();
        assertThat(ConfChange.decode(good)).isEqualTo(cc);
        assertThat(ConfChange.decode(good).hashCode()).isEqualTo(cc.hashCode());
        assertThat(ConfChange.of().isLeaveJoint()).isTrue();

        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> ConfChange.decode(version)).hasMessageContaining("unknown conf change version: 9");
        byte[] count = good.clone();
        count[5] = 100;
        assertThatThrownBy(() -> ConfChange.decode(count)).hasMessageContaining("bad conf change count: 100");
        byte[] context = good.clone();
        context[context.length - 3] = 7;
        assertThatThrownBy(() -> ConfChange.decode(context)).hasMessageContaining("bad conf change context length");
        assertThatThrownBy(() -> ConfChange.decode(Arrays.copyOf(good, 3))).hasMessageContaining("truncated conf change");
    }

    @Test
    void unknownMessageTypeCode() {
        assertThat(MessageType.ofCode(MessageType.values()[0].code())).isEqualTo(MessageType.values()[0]);
        assertThatThrownBy(() -> MessageType.ofCode(-1)).hasMessageContaining("unknown message type code: -1");
        assertThatThrownBy(() -> MessageType.ofCode(10_000)).hasMessageContaining("unknown message type code");
    }
}
