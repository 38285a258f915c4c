package io.cairn.store.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

    private static StoreConfig parse(String text) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return StoreConfig.from(p);
    }

    private static final String BASE = """
            node.id=2
            data.dir=/tmp/x
            raft.port=7101
            service.port=7201
            peers=1=10.0.0.1:7101:7201, 2=10.0.0.2:7101:7201 ,3=10.0.0.3:7101:7201
            """;

    @Test
    void parsesEveryKeyWithDefaults() throws Exception {
        StoreConfig c = parse(BASE + """
                group.1.members=1,2,3
                group.1.slots=0-8191
                group.2.members=1,3
                group.2.slots=8192-9000, 9001 ,9002-16383
                """);
        assertThat(c.nodeId()).isEqualTo(2);
        assertThat(c.host()).isEqualTo("10.0.0.2"); // from its peers entry when `host` is not set
        assertThat(c.peers().get(3L).serviceAddress()).isEqualTo("10.0.0.3:7201");
        assertThat(c.peers().get(2L).raftAddress()).isEqualTo("10.0.0.2:7101");
        StoreConfig bound = parse(BASE + "host=0.0.0.0\n");
        assertThat(bound.host()).isEqualTo("0.0.0.0");
        assertThat(bound.peers().get(2L).serviceAddress()).isEqualTo("10.0.0.2:7201"); // advertised
        StoreConfig alone = parse(BASE.replace("peers=", "#"));
        assertThat(alone.host()).isEqualTo("127.0.0.1");
        assertThat(alone.peers().get(2L).serviceAddress()).isEqualTo("127.0.0.1:7201");
        assertThat(c.localGroups()).extracting(StoreConfig.Group::id).containsExactly(1L);
        assertThat(c.groups().get(2L).owns(9001)).isTrue();
        assertThat(c.groups().get(2L).owns(8191)).isFalse();
        assertThat(c.groups().get(2L).slotRanges()).containsExactly("8192-9000", "9001-9001", "9002-16383");
        assertThat(c.mapVersion()).isEqualTo(1);
        assertThat(c.tickMillis()).isEqualTo(100);
        assertThat(c.electionTicks()).isEqualTo(10);
        assertThat(c.requestTimeoutMillis()).isEqualTo(5000);
        assertThat(c.expiryIntervalMillis()).isEqualTo(100);
        assertThat(c.expiryBatch()).isEqualTo(64);
        assertThat(c.sessionExpiryIntervalMillis()).isEqualTo(60_000);
        assertThat(c.metaAddresses()).isEmpty();
        assertThat(c.metaMode()).isFalse();
    }

    @Test
    void refusesMistakes() {
        assertThatThrownBy(() -> parse(BASE + "group.1.member=1\n")).hasMessageContaining("unknown config key");
        assertThatThrownBy(() -> parse(BASE.replace("node.id=2\n", ""))).hasMessageContaining("node.id");
        assertThatThrownBy(() -> parse(BASE + "group.1.members=1\ngroup.1.slots=0-100\ngroup.2.members=2\n"
                + "group.2.slots=100-200\n")).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> parse(BASE + "group.1.members=1\ngroup.1.slots=0-16384\n"))
                .hasMessageContaining("16384");
        assertThatThrownBy(() -> parse(BASE + "group.1.members=9\n")).hasMessageContaining("not in peers");
        assertThatThrownBy(() -> parse(BASE + "group.1.slots=0-5\n")).hasMessageContaining("without group.1.members");
        assertThatThrownBy(() -> parse(BASE.replace("service.port=7201", "service.port=7999")))
                .hasMessageContaining("peers lists node 2");
        assertThatThrownBy(() -> parse(BASE + "peers=1=h:1\n")).hasMessageContaining("id=host:raftPort:servicePort");
    }

    @Test
    void metricsPortIsOffByDefaultAndMustBeAPort() throws Exception {
        assertThat(parse(BASE).metricsPort()).isZero();
        assertThat(parse(BASE + "metrics.port=9102\n").metricsPort()).isEqualTo(9102);
        assertThatThrownBy(() -> parse(BASE + "metrics.port=70000\n"))
                .hasMessage("config key 'metrics.port': 70000 is not a port");
        assertThatThrownBy(() -> parse(BASE + "metrics.port=-1\n")).hasMessageContaining("expected: >= 0");
    }

    @Test
    void readModeIsLeaseByDefault() throws Exception {
        assertThat(parse(BASE).leaseReads()).isTrue();
        assertThat(parse(BASE + "raft.read.mode=lease\n").leaseReads()).isTrue();
        assertThat(parse(BASE + "raft.read.mode=readindex\n").leaseReads()).isFalse();
        assertThatThrownBy(() -> parse(BASE + "raft.read.mode=fast\n"))
                .hasMessage("raft.read.mode: 'fast' (expected: lease or readindex)");
    }

    @Test
    void theDataBlockCacheIs128MibUnlessConfigured() throws Exception {
        assertThat(parse(BASE).blockCacheBytes()).isEqualTo(128L << 20);
        assertThat(parse(BASE + "data.block.cache.bytes=0\n").blockCacheBytes()).isZero();
        assertThat(parse(BASE + "data.block.cache.bytes=1073741824\n").blockCacheBytes()).isEqualTo(1L << 30);
        assertThatThrownBy(() -> parse(BASE + "data.block.cache.bytes=-1\n")).hasMessageContaining("expected: >= 0");
    }

    @Test
    void smallBatchesApplyOnTheRaftWorkerUnlessTurnedOff() throws Exception {
        assertThat(parse(BASE).inlineApplyBytes()).isEqualTo(2048);
        assertThat(parse(BASE + "raft.inline.apply.bytes=0\n").inlineApplyBytes()).isZero();
        assertThat(parse(BASE + "raft.inline.apply.bytes=512\n").inlineApplyBytes()).isEqualTo(512);
        assertThatThrownBy(() -> parse(BASE + "raft.inline.apply.bytes=-1\n")).hasMessageContaining("expected: >= 0");
    }

    @Test
    void metaModeTakesTheMetaAddressesAndRefusesStaticGroups() throws Exception {
        StoreConfig c = parse(BASE + "meta.address=10.0.0.9:7300, 10.0.0.10:7300\nmeta.heartbeat.ms=250\n");
        assertThat(c.metaMode()).isTrue();
        assertThat(c.metaAddresses()).containsExactly("10.0.0.9:7300", "10.0.0.10:7300");
        assertThat(c.metaHeartbeatMillis()).isEqualTo(250);
        assertThat(c.self().serviceAddress()).isEqualTo("10.0.0.2:7201");
        assertThat(parse(BASE).metaHeartbeatMillis()).isEqualTo(500);
        assertThatThrownBy(() -> parse(BASE + "meta.address=10.0.0.9:7300\ngroup.1.members=1\n"))
                .hasMessageContaining("group.<id>.* keys are not allowed");
        assertThatThrownBy(() -> parse(BASE + "meta.address=10.0.0.9\n"))
                .hasMessageContaining("meta.address: '10.0.0.9' (expected: host:port");
    }
}
