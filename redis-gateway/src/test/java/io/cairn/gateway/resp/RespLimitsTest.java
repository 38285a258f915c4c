package io.cairn.gateway.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RespLimitsTest {

  @Test
  void defaultsAreRedisDefaults() {
    // redis.conf: proto-max-bulk-len 512mb; server.h: PROTO_INLINE_MAX_SIZE (1024*64);
    // Redis 6 networking.c: multibulk length > 1024*1024 is invalid.
    assertThat(RespLimits.REDIS_DEFAULTS)
        .isEqualTo(new RespLimits(536_870_912L, 1_048_576, 65_536));
  }

  @Test
  void rejectsNonsenseWithTheNumbers() {
    assertThatThrownBy(() -> new RespLimits(1L << 40, 10, 1024))
        .hasMessage("maxBulkLength: 1099511627776 (expected: 0..2147483639)");
    assertThatThrownBy(() -> new RespLimits(10, 0, 1024))
        .hasMessage("maxMultibulkLength: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new RespLimits(10, 10, 10))
        .hasMessage("maxInlineLength: 10 (expected: 64..2147483645)");
  }
}
