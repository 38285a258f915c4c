package io.cairn.gateway.resp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases from Redis's sdssplitargs (sds.c) contract. */
class RespInlineArgsTest {

  private static List<String> split(String line) {
    byte[][] args = InlineArgs.split(line.getBytes(ISO_8859_1));
    return args == null ? null
        : Arrays.stream(args).map(a -> new String(a, ISO_8859_1)).toList();
  }

  @Test
  void blanksSeparate() {
    assertThat(split("")).isEmpty();
    assertThat(split(" \t\r\n\u000b\u000c")).isEmpty();
    assertThat(split("a b\tc")).containsExactly("a", "b", "c");
  }

  @Test
  void doubleQuoteEscapes() {
    assertThat(split("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"")).containsExactly("\n\r\t\b\u0007\\\"q");
    assertThat(split("\"\\x41\\x7a\\xZZ\"")).containsExactly("AzxZZ");
  }

  @Test
  void singleQuotesOnlyEscapeTheQuote() {
    assertThat(split("'a\\'b\\n'")).containsExactly("a'b\\n");
  }

  @Test
  void quotesMayStartInsideAToken() {
    assertThat(split("a\"b c\" d")).containsExactly("ab c", "d");
  }

  @Test
  void closingQuoteMustBeFollowedByABlankOrTheEnd() {
    assertThat(split("\"a\"b")).isNull();
    assertThat(split("'a'b")).isNull();
    assertThat(split("\"a\"\t'b'")).containsExactly("a", "b");
  }

  @Test
  void unterminatedQuotes() {
    assertThat(split("\"abc")).isNull();
    assertThat(split("'abc")).isNull();
    assertThat(split("\"abc\\")).isNull();
  }

  @Test
  void nulEndsTheLineLikeACString() {
    assertThat(split("a b\0c d")).containsExactly("a", "b");
    assertThat(split("\"a\0b\"")).isNull();
  }

  @Test
  void highBytesAreOrdinaryCharacters() {
    assertThat(split("\u00ff\u00a0 x")).containsExactly("\u00ff\u00a0", "x");
  }
}
