package io.cairn.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MetaConfigTest {
  private static final String BASE = """
      node.id=2
      data.dir=/tmp/meta
      raft.port=7301
      service.port=7401
      """;

  private static MetaConfig parse(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return MetaConfig.from(p);
  }

  @Test
  void defaultsAndASingleReplica() throws Exception {
    MetaConfig c = parse(BASE);
    assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/meta"));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.peers()).containsOnlyKeys(2L); // peers unset: a single-replica meta group
    assertThat(c.serviceAddresses()).containsExactly("127.0.0.1:7401");
    assertThat(c.bootstrapStores()).isEqualTo(3);
    assertThat(c.bootstrapGroups()).isEqualTo(3);
    assertThat(c.replicationFactor()).isEqualTo(3);
    assertThat(c.tickMillis()).isEqualTo(100);
    assertThat(c.electionTicks()).isEqualTo(10);
    assertThat(c.storeHeartbeatTimeoutMillis()).isEqualTo(10_000);
    assertThat(c.requestTimeoutMillis()).isEqualTo(5_000);
    assertThat(c.historyVersions()).isEqualTo(256);
    assertThat(c.leaderTaskMillis()).isEqualTo(200);
    assertThat(c.leaderBalanceMillis()).isEqualTo(1_000);
  }

  @Test
  void leaderBalancingCanBeSlowedOrSwitchedOff() throws Exception {
    assertThat(parse(BASE + "leader.balance.ms=5000\n").leaderBalanceMillis()).isEqualTo(5_000);
    assertThat(parse(BASE + "leader.balance.ms=0\n").leaderBalanceMillis()).isZero();
    assertThatThrownBy(() -> parse(BASE + "leader.balance.ms=-1\n")).hasMessageContaining("leader.balance.ms");
  }

  @Test
  void migrationKeysHaveTheirDefaults() throws Exception {
    MetaConfig c = parse(BASE);
    assertThat(c.migrationConcurrency()).isEqualTo(1);
    assertThat(c.migrationCatchupKeys()).isEqualTo(64);
    assertThat(c.migrationBatchSlots()).isEqualTo(16);
    assertThat(c.migrationGapMillis()).isEqualTo(300);
    MetaConfig d = parse(BASE + "migration.concurrency=3\nmigration.catchup.keys=0\nmigration.batch.slots=1024\n"
        + "migration.gap.ms=0\n");
    assertThat(d.migrationConcurrency()).isEqualTo(3);
    assertThat(d.migrationCatchupKeys()).isZero();
    assertThat(d.migrationBatchSlots()).isEqualTo(1024);
    assertThat(d.migrationGapMillis()).isZero();
    assertThatThrownBy(() -> parse(BASE + "migration.gap.ms=-5\n")).hasMessageContaining("migration.gap.ms");
  }

  @Test
  void peersGiveEveryReplicasAddresses() throws Exception {
    MetaConfig c = parse(BASE + "peers=1@10.0.0.1:7301:7401, 2@10.0.0.2:7301:7401,3@10.0.0.3:7301:7401\n"
        + "store.heartbeat.timeout.ms=0\n");
    assertThat(c.host()).isEqualTo("10.0.0.2");
    assertThat(c.self().raftAddress()).isEqualTo("10.0.0.2:7301");
    assertThat(c.serviceAddresses()).isEqualTo(List.of("10.0.0.1:7401", "10.0.0.2:7401", "10.0.0.3:7401"));
    assertThat(c.storeHeartbeatTimeoutMillis()).isZero();
  }

  @Test
  void metricsPortIsOffByDefaultAndMustBeAPort() throws Exception {
    assertThat(parse(BASE).metricsPort()).isZero();
    assertThat(parse(BASE + "metrics.port=9101\n").metricsPort()).isEqualTo(9101);
    assertThatThrownBy(() -> parse(BASE + "metrics.port=65536\n"))
        .hasMessage("config key 'metrics.port': 65536 is not a port");
  }

  @Test
  void refusesMistakes() {
    assertThatThrownBy(() -> parse(BASE + "bootstrap.store=3\n")).hasMessageContaining("unknown config key");
    assertThatThrownBy(() -> parse(BASE + "peers=1=10.0.0.1:7301:7401\n"))
        .hasMessageContaining("expected: id@host:raftPort:servicePort");
    assertThatThrownBy(() -> parse(BASE + "peers=2@10.0.0.2:1:2\n")).hasMessageContaining("raft.port/service.port");
    assertThatThrownBy(() -> parse(BASE + "replication.factor=4\n")).hasMessageContaining("larger than bootstrap.stores");
    assertThatThrownBy(() -> parse("data.dir=/x\nraft.port=1\nservice.port=2\n"))
        .hasMessageContaining("'node.id' is required");
  }
}
