package io.cairn.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.store.resp.RespEncoder;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespSlicesTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void elementsOfNestedRepliesInBothProtocols() {
    Reply nested = new Reply.Arr(List.of(
        new Reply.Bulk(b("a\r\nb")),
        Reply.NIL,
        new Reply.Int(-7),
        new Reply.MapReply(List.of(new Reply.Bulk(b("k")), new Reply.Arr(List.of(Reply.OK)))),
        new Reply.Err("ERR x"),
        new Reply.Dbl(1.5)));
    for (int protocol : new int[] {RespEncoder.RESP2, RespEncoder.RESP3}) {
      byte[] whole = RespEncoder.encode(nested, protocol);
      List<byte[]> parts = RespSlices.elements(whole);
      assertThat(parts).hasSize(6);
      assertThat(s(parts.get(0))).isEqualTo("$4\r\na\r\nb\r\n");
      assertThat(s(parts.get(2))).isEqualTo(":-7\r\n");
      // Re-assembled, the array is byte for byte the original.
      assertThat(RespSlices.array(parts)).isEqualTo(whole);
    }
    assertThat(s(RespSlices.elements(RespEncoder.encode(nested, RespEncoder.RESP3)).get(1)))
        .isEqualTo("_\r\n");
  }

  @Test
  void scalars() {
    assertThat(RespSlices.integer(b(":12345\r\n"))).isEqualTo(12345);
    assertThat(RespSlices.bulk(b("$3\r\n1\r\n\r\n"))).isEqualTo(b("1\r\n"));
    assertThat(RespSlices.isError(b("-ERR x\r\n"))).isTrue();
    assertThat(RespSlices.isError(b("+OK\r\n"))).isFalse();
    assertThat(s(RespSlices.bulkOf("42"))).isEqualTo("$2\r\n42\r\n");
    assertThatThrownBy(() -> RespSlices.integer(b("+OK\r\n")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RespSlices.elements(b("*2\r\n:1\r\n")))
        .isInstanceOf(RuntimeException.class);
  }
}
