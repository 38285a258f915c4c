package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.gateway.resp.RespLimits;
import io.cairn.gateway.route.RouteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GatewayConfig.load: defaults, every key of docs/gateway.md, refusal of unknown keys. */
class GatewayConfigTest {
  @TempDir
  Path tmp;

  @Test
  void emptyFileGivesTheDefaults() throws Exception {
    Path f = tmp.resolve("empty.properties");
    Files.writeString(f, "# nothing\n");
    GatewayConfig c = GatewayConfig.load(f);
    assertThat(c).isEqualTo(new GatewayConfig("127.0.0.1", 6379, null, RespLimits.REDIS_DEFAULTS,
        10000, 1L << 30, 10000, 128, 0, RouteConfig.DEFAULTS));
    assertThat(GatewayConfig.loopback(6379)).isEqualTo(c);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    Path f = tmp.resolve("all.properties");
    Files.writeString(f, String.join("\n",
        "host = 0.0.0.0",
        "port=7000",
        "requirepass=s3cret",
        "maxclients=50",
        "proto.max.bulk.len=1048576",
        "proto.max.multibulk.len=1000",
        "proto.inline.max.size=4096",
        "client.output.buffer.limit.bytes=0",
        "slowlog.log.slower.than=-1",
        "slowlog.max.len=16",
        "metrics.port=9121",
        "route.timeout.ms=700",
        "route.max.commands.per.call=64",
        "route.max.bytes.per.call=65536",
        "route.max.calls.per.store=2",
        "route.call.timeout.ms=9000",
        "route.keepalive.ms=20000",
        "route.keepalive.timeout.ms=3000"));
    GatewayConfig c = GatewayConfig.load(f);
    assertThat(c).isEqualTo(new GatewayConfig("0.0.0.0", 7000, "s3cret",
        new RespLimits(1048576, 1000, 4096), 50, 0, -1, 16, 9121, new RouteConfig(700, 64, 65536, 2, 9000, 20000, 3000)));
    assertThat(GatewayConfig.KEYS).hasSize(18);
  }

  @Test
  void unknownKeysAndBadValuesAreRefused() {
    Properties p = new Properties();
    p.setProperty("max.clients", "5");
    assertThatThrownBy(() -> GatewayConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown config key 'max.clients' (see docs/gateway.md)");
    Properties bad = new Properties();
    bad.setProperty("maxclients", "many");
    assertThatThrownBy(() -> GatewayConfig.from(bad))
        .hasMessage("config key 'maxclients': 'many' is not a number");
    Properties zero = new Properties();
    zero.setProperty("maxclients", "0");
    assertThatThrownBy(() -> GatewayConfig.from(zero))
        .hasMessage("config key 'maxclients': 0 (expected: 1..2147483647)");
    Properties port = new Properties();
    port.setProperty("metrics.port", "70000");
    assertThatThrownBy(() -> GatewayConfig.from(port))
        .hasMessage("config key 'metrics.port': 70000 (expected: 0..65535)");
    assertThatThrownBy(() -> GatewayConfig.load(tmp.resolve("missing")))
        .hasMessageContaining("cannot read gateway config");
  }
}
