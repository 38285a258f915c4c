package io.cairn.gateway.resp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Feeds bytes through a real pipeline ({@link EmbeddedChannel}) and compares with what
 * redis-server 7.0 does with the same bytes (networking.c, processMultibulkBuffer /
 * processInlineBuffer). Every test checks that input buffers are released and that nothing is
 * left in the channel.
 */
class RespRequestDecoderTest {

  // ---------------------------------------------------------------- helpers

  private static byte[] bytes(String s) {
    return s.getBytes(ISO_8859_1);
  }

  private static RedisRequest multibulk(String... args) {
    return new RedisRequest(Arrays.stream(args).map(RespRequestDecoderTest::bytes)
        .toArray(byte[][]::new), false);
  }

  private static RedisRequest inline(String... args) {
    return new RedisRequest(Arrays.stream(args).map(RespRequestDecoderTest::bytes)
        .toArray(byte[][]::new), true);
  }

  private static RespProtocolError error(String redisText) {
    return RespProtocolError.of(redisText, "ignored");
  }

  /** Writes each chunk as its own read; returns everything decoded; checks hygiene. */
  private static List<Object> decodeChunks(RespLimits limits, List<byte[]> chunks) {
    EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(limits));
    List<ByteBuf> written = new ArrayList<>();
    List<Object> decoded = new ArrayList<>();
    for (byte[] chunk : chunks) {
      ByteBuf buf = Unpooled.buffer(chunk.length).writeBytes(chunk); // a real buffer even if empty
      written.add(buf);
      channel.writeInbound(buf);
      for (Object o; (o = channel.readInbound()) != null; ) {
        decoded.add(o);
      }
    }
    assertFalse(channel.finish(), "nothing may be left in the channel");
    for (ByteBuf buf : written) {
      assertThat(buf.refCnt()).as("input buffer released").isZero();
    }
    return decoded;
  }

  private static List<Object> decode(String... chunks) {
    return decode(RespLimits.REDIS_DEFAULTS, chunks);
  }

  private static List<Object> decode(RespLimits limits, String... chunks) {
    return decodeChunks(limits, Arrays.stream(chunks).map(RespRequestDecoderTest::bytes).toList());
  }

  /** Errors compare by the text the client sees; the detail is for logs. */
  private static List<Object> comparable(List<Object> decoded) {
    return decoded.stream()
        .map(o -> o instanceof RespProtocolError e ? "-" + e.message() : o)
        .toList();
  }

  private static void assertDecodes(List<Object> actual, Object... expected) {
    assertThat(comparable(actual)).containsExactlyElementsOf(comparable(List.of(expected)));
  }

  // ---------------------------------------------------------------- multibulk

  @Test
  void decodesMultibulk() {
    assertDecodes(decode("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
        multibulk("SET", "key", "value"));
  }

  @Test
  void bulkPayloadIsBinarySafe() {
    assertDecodes(decode("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0\u00ffb\r\n"),
        multibulk("ECHO", "a\r\n\0\u00ffb"));
  }

  @Test
  void emptyBulkIsAnEmptyArgument() {
    assertDecodes(decode("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"), multibulk("GET", ""));
  }

  @Test
  void emptyAndNullMultibulkAreIgnoredLikeRedis() {
    // networking.c: "if (ll <= 0) return C_OK" -- consumed, no command.
    assertDecodes(decode("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n"), multibulk("PING"));
  }

  @Test
  void pipelinedRequestsInOneBufferDecodeInOrder() {
    assertDecodes(
        decode("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\r\nECHO \"a b\"\n"),
        multibulk("PING"), inline("PING"), multibulk("GET", "k"), inline("ECHO", "a b"));
  }

  @Test
  void manyPipelinedRequests() {
    StringBuilder s = new StringBuilder();
    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String key = "key:" + i;
      s.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key)
          .append("\r\n");
      expected.add(multibulk("GET", key));
    }
    assertDecodes(decode(s.toString()), expected.toArray());
  }

  @Test
  void headerLineEndsAtCrAndTheByteAfterItIsSkippedLikeRedis() {
    // Redis: strchr(querybuf, '\r'), then qb_pos = newline + 2 without looking at that byte,
    // and after a payload "qb_pos += bulklen + 2" without looking either; redis-server 7.0.15
    // answers these bytes with +PONG.
    assertDecodes(decode("*1\rX$4\rYPINGZZ"), multibulk("PING"));
  }

  // ---------------------------------------------------------------- inline

  @Test
  void decodesInline() {
    assertDecodes(decode("PING\r\n"), inline("PING"));
    assertDecodes(decode("SET k v\n"), inline("SET", "k", "v"));
    assertDecodes(decode("  SET \t k   v  \r\n"), inline("SET", "k", "v"));
  }

  @Test
  void inlineQuotesFollowSdssplitargs() {
    assertDecodes(decode("SET \"a b\" 'c d'\r\n"), inline("SET", "a b", "c d"));
    assertDecodes(decode("ECHO \"\\x41\\n\\t\\\\\\\"\"\r\n"), inline("ECHO", "A\n\t\\\""));
    assertDecodes(decode("ECHO 'it\\'s' \"\"\r\n"), inline("ECHO", "it's", ""));
  }

  @Test
  void blankLinesAreIgnored() {
    assertDecodes(decode("\r\n\n   \r\n\t\nPING\r\n"), inline("PING"));
  }

  @Test
  void onlyACrRightBeforeTheNewlineIsDropped() {
    // "\r" elsewhere is a separator in sdssplitargs.
    assertDecodes(decode("GET a\rb\r\r\n"), inline("GET", "a", "b"));
  }

  @Test
  void inlineLineOfExactlyTheLimitIsAccepted() {
    RespLimits limits = new RespLimits(1024, 16, 64);
    String arg = "x".repeat(64);
    assertDecodes(decode(limits, arg + "\n"), inline(arg));
    assertDecodes(decode(limits, arg.substring(1) + "\r\n"), inline(arg.substring(1)));
  }

  // ---------------------------------------------------------------- split points

  private static final String[] SPLIT_CASES = {
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\nva\r\nl\0ue!!\r\n",
      "PING\r\n",
      "SET \"a \\x41 b\" 'c\\'d'\r\n",
      "*0\r\n\r\n*-1\r\nPING\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
      "*2\r\n$4\r\nECHO\r\n$12\r\n*1\r\n$4\r\nPING\r\n\r\nGET \"k\"\r\n",
  };

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void requestSplitAtAnyByteDecodesTheSame(int caseIndex) {
    byte[] whole = bytes(SPLIT_CASES[caseIndex]);
    List<Object> expected = decodeChunks(RespLimits.REDIS_DEFAULTS, List.of(whole));
    assertThat(expected).isNotEmpty();
    for (int i = 0; i <= whole.length; i++) {
      List<Object> split = decodeChunks(RespLimits.REDIS_DEFAULTS,
          List.of(Arrays.copyOfRange(whole, 0, i), Arrays.copyOfRange(whole, i, whole.length)));
      assertThat(split).as("split at %d", i).isEqualTo(expected);
      for (int j = i; j <= whole.length; j++) {
        List<Object> split3 = decodeChunks(RespLimits.REDIS_DEFAULTS,
            List.of(Arrays.copyOfRange(whole, 0, i), Arrays.copyOfRange(whole, i, j),
                Arrays.copyOfRange(whole, j, whole.length)));
        assertThat(split3).as("split at %d and %d", i, j).isEqualTo(expected);
      }
    }
    List<byte[]> oneByteReads = new ArrayList<>();
    for (byte b : whole) {
      oneByteReads.add(new byte[] {b});
    }
    assertThat(decodeChunks(RespLimits.REDIS_DEFAULTS, oneByteReads)).isEqualTo(expected);
  }

  @Test
  void protocolErrorIsTheSameAtAnySplitPoint() {
    byte[] whole = bytes("PING\r\n*2\r\n$3\r\nGET\r\n:1\r\nPING\r\n");
    for (int i = 0; i <= whole.length; i++) {
      List<Object> decoded = decodeChunks(RespLimits.REDIS_DEFAULTS,
          List.of(Arrays.copyOfRange(whole, 0, i), Arrays.copyOfRange(whole, i, whole.length)));
      assertDecodes(decoded, inline("PING"), error("expected '$', got ':'"));
    }
  }

  // ---------------------------------------------------------------- protocol errors

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      *x\\r\\n                                  | invalid multibulk length
      *\\r\\n                                   | invalid multibulk length
      *01\\r\\n                                 | invalid multibulk length
      *+1\\r\\n                                 | invalid multibulk length
      *-0\\r\\n                                 | invalid multibulk length
      * 1\\r\\n                                 | invalid multibulk length
      *1048577\\r\\n                            | invalid multibulk length
      *99999999999999999999\\r\\n               | invalid multibulk length
      *1\\r\\n$x\\r\\n                          | invalid bulk length
      *1\\r\\n$-1\\r\\n                         | invalid bulk length
      *1\\r\\n$\\r\\n                           | invalid bulk length
      *1\\r\\n$536870913\\r\\n                  | invalid bulk length
      *1\\r\\n$1099511627776\\r\\n              | invalid bulk length
      *2\\r\\n$3\\r\\nGET\\r\\nfoo\\r\\n        | expected '$', got 'f'
      *1\\r\\n:1\\r\\n                          | expected '$', got ':'
      *1\\r\\n\\r\\n                            | expected '$', got ' '
      *1\\r\\n\\n\\r\\n                        | expected '$', got ' '
      SET "a\\r\\n                              | unbalanced quotes in request
      SET 'a\\r\\n                              | unbalanced quotes in request
      SET "a"b\\r\\n                            | unbalanced quotes in request
      SET 'a'b\\r\\n                            | unbalanced quotes in request
      """)
  void protocolErrorsHaveRedisText(String input, String redisText) {
    String bytes = input.replace("\\r", "\r").replace("\\n", "\n");
    List<Object> decoded = decode(bytes + "PING\r\n", "PING\r\n");
    assertDecodes(decoded, error(redisText));
    assertThat(((RespProtocolError) decoded.get(0)).errorReply())
        .isEqualTo(bytes("-ERR Protocol error: " + redisText + "\r\n"));
  }

  @Test
  void tooBigInlineRequest() {
    RespLimits limits = RespLimits.REDIS_DEFAULTS;
    String line = "x".repeat(64 * 1024 + 1);
    assertDecodes(decode(limits, line), error("too big inline request"));
    assertDecodes(decode(limits, line + "\r\n"), error("too big inline request"));
    // Arriving slowly does not change the verdict.
    assertDecodes(decode(limits, line.substring(0, 1000), line.substring(1000)),
        error("too big inline request"));
  }

  @Test
  void tooBigCountStrings() {
    String digits = "1".repeat(64 * 1024 + 1);
    assertDecodes(decode("*" + digits), error("too big mbulk count string"));
    assertDecodes(decode("*1\r\n$" + digits), error("too big bulk count string"));
  }

  @Test
  void requestsBeforeAnErrorAreDeliveredAndEverythingAfterIsDiscarded() {
    EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
    channel.writeInbound(Unpooled.copiedBuffer(bytes("PING\r\n*1\r\n$-3\r\n*1\r\n$4\r\nPING\r\n")));
    assertThat((Object) channel.readInbound()).isEqualTo(inline("PING"));
    RespProtocolError error = channel.readInbound();
    assertThat(error.message()).isEqualTo("ERR Protocol error: invalid bulk length");
    assertThat(error.detail()).isEqualTo("bulk length -3 (expected: 0..536870912)");
    assertThat((Object) channel.readInbound()).isNull();
    ByteBuf later = Unpooled.copiedBuffer(bytes("PING\r\n*1\r\n$4\r\nPING\r\n"));
    channel.writeInbound(later);
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(later.refCnt()).isZero();
    assertThat(((RespRequestDecoder) channel.pipeline().first()).isBroken()).isTrue();
    assertFalse(channel.finish());
  }

  @Test
  void errorDetailsCarryTheNumbers() {
    RespProtocolError e = (RespProtocolError) decode("*1\r\n$600000000\r\n").get(0);
    assertThat(e.detail()).isEqualTo("bulk length 600000000 (expected: 0..536870912)");
    e = (RespProtocolError) decode("*10000000\r\n").get(0);
    assertThat(e.detail()).isEqualTo("multibulk length 10000000 (expected: an integer <= 1048576)");
  }

  @Test
  void configuredLimitsApply() {
    RespLimits limits = new RespLimits(5, 2, 64);
    assertDecodes(decode(limits, "*2\r\n$5\r\nhello\r\n$0\r\n\r\n"), multibulk("hello", ""));
    assertDecodes(decode(limits, "*1\r\n$6\r\n"), error("invalid bulk length"));
    assertDecodes(decode(limits, "*3\r\n"), error("invalid multibulk length"));
    assertDecodes(decode(limits, "x".repeat(65)), error("too big inline request"));
  }

  // ---------------------------------------------------------------- memory

  @Test
  void hugeDeclaredBulkDoesNotAllocateUntilBytesArrive() {
    // 2 GB declared (the most a Java array can hold); a test JVM would fail to allocate it.
    RespLimits limits = new RespLimits(RespLimits.MAX_JAVA_ARRAY_LENGTH, 16, 64 * 1024);
    RespRequestDecoder decoder = new RespRequestDecoder(limits);
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.writeInbound(Unpooled.copiedBuffer(bytes("*1\r\n$" + (Integer.MAX_VALUE - 8)
        + "\r\n0123456789")));
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(decoder.bufferedPayloadCapacity()).isEqualTo(10);
    channel.writeInbound(Unpooled.copiedBuffer(new byte[1000]));
    assertThat(decoder.bufferedPayloadCapacity()).isEqualTo(1010);
    channel.writeInbound(Unpooled.copiedBuffer(new byte[10]));
    assertThat(decoder.bufferedPayloadCapacity()).isEqualTo(2020); // doubles, not exact
    assertFalse(channel.finish());
  }

  @Test
  void hugeDeclaredArgumentCountDoesNotAllocateUntilArgumentsArrive() {
    RespLimits limits = new RespLimits(1024, 20_000_000, 64 * 1024);
    RespRequestDecoder decoder = new RespRequestDecoder(limits);
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.writeInbound(Unpooled.copiedBuffer(bytes("*10000000\r\n$1\r\na\r\n")));
    assertThat(decoder.argvCapacity()).isEqualTo(1024);
    assertThat((Object) channel.readInbound()).isNull();
    assertFalse(channel.finish());
  }

  @Test
  void argumentArrayGrowsPastItsInitialCapacity() {
    int n = 3000;
    StringBuilder s = new StringBuilder("*" + n + "\r\n");
    String[] args = new String[n];
    for (int i = 0; i < n; i++) {
      args[i] = Integer.toString(i);
      s.append('$').append(args[i].length()).append("\r\n").append(args[i]).append("\r\n");
    }
    List<Object> decoded = decode(s.toString());
    assertDecodes(decoded, multibulk(args));
    assertThat(((RedisRequest) decoded.get(0)).argc()).isEqualTo(n);
  }

  @Test
  void redisDefaultsRejectHugeDeclarationsWithoutAllocating() {
    assertDecodes(decode("*1\r\n$1099511627776\r\n"), error("invalid bulk length"));
    assertDecodes(decode("*10000000\r\n"), error("invalid multibulk length"));
  }

  @Test
  void bigBulkInManySmallReads() {
    int size = 300_000;
    byte[] payload = new byte[size];
    new Random(7).nextBytes(payload);
    byte[] head = bytes("*2\r\n$3\r\nSET\r\n$" + size + "\r\n");
    byte[] whole = new byte[head.length + size + 2];
    System.arraycopy(head, 0, whole, 0, head.length);
    System.arraycopy(payload, 0, whole, head.length, size);
    whole[whole.length - 2] = '\r';
    whole[whole.length - 1] = '\n';
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < whole.length; i += 1_000) {
      chunks.add(Arrays.copyOfRange(whole, i, Math.min(whole.length, i + 1_000)));
    }
    List<Object> decoded = decodeChunks(RespLimits.REDIS_DEFAULTS, chunks);
    assertThat(decoded).hasSize(1);
    RedisRequest request = (RedisRequest) decoded.get(0);
    assertThat(request.argv()[1]).isEqualTo(payload);
  }

  // ---------------------------------------------------------------- garbage

  @Test
  void garbageNeverThrowsAndEndsInRequestsOrOneError() {
    Random random = new Random(42);
    for (int round = 0; round < 2000; round++) {
      byte[] garbage = new byte[random.nextInt(200)];
      random.nextBytes(garbage);
      if (round % 2 == 0 && garbage.length > 0) {
        garbage[0] = '*'; // exercise the multibulk path too
      }
      int cut = garbage.length == 0 ? 0 : random.nextInt(garbage.length);
      List<Object> decoded = decodeChunks(RespLimits.REDIS_DEFAULTS,
          List.of(Arrays.copyOfRange(garbage, 0, cut),
              Arrays.copyOfRange(garbage, cut, garbage.length)));
      long errors = decoded.stream().filter(o -> o instanceof RespProtocolError).count();
      assertThat(errors).isLessThanOrEqualTo(1);
      if (errors == 1) {
        assertThat(decoded.get(decoded.size() - 1)).isInstanceOf(RespProtocolError.class);
      }
    }
  }

  @Test
  void unprintableByteIsEchoedRawInTheError() {
    // redis-server 7.0.15: "*1\r\n\x01\r\n" -> "-ERR Protocol error: expected '$', got '\x01'"
    RespProtocolError e = (RespProtocolError) decode("*1\r\n\u0001\r\n").get(0);
    assertThat(e.errorReply()).isEqualTo(bytes("-ERR Protocol error: expected '$', got '\u0001'\r\n"));
  }

  @Test
  void nulInInlineLineEndsTheArgumentsButNotTheLine() {
    // Deliberate difference: redis-server's strchr stops at the NUL and waits for more input.
    assertDecodes(decode("ECHO a\0b c\r\nPING\r\n"), inline("ECHO", "a"), inline("PING"));
  }

  @Test
  void binaryGarbageAfterStarIsInvalidMultibulkLength() {
    assertDecodes(decode("*\u0000\u00ff\r\n"), error("invalid multibulk length"));
  }
}
