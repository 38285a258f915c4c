package io.cairn.meta.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The replica rotation the map watch uses after a failed stream. */
class MetaClientTest {
  @Test
  void nextGoesRoundTheListAndStartsItForAnUnknownOrMissingAddress() {
    MetaClient client = new MetaClient(List.of("a:1", "b:2", "c:3"));
    try {
      assertThat(client.next("a:1")).isEqualTo("b:2");
      assertThat(client.next("c:3")).isEqualTo("a:1");
      assertThat(client.next("z:9")).isEqualTo("a:1");
      // a watch that failed before it had a target (finding the leader threw) goes on with the first
      assertThat(client.next(null)).isEqualTo("a:1");
    } finally {
      client.close();
    }
  }
}
