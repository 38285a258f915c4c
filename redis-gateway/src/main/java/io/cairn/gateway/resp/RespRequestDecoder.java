package io.cairn.gateway.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns client bytes into {@link RedisRequest}s the way redis-server's networking.c does
 * ({@code processInputBuffer}, {@code processMultibulkBuffer}, {@code processInlineBuffer}).
 *
 * <ul>
 *   <li>A request starting with {@code *} is a multibulk: {@code *N\r\n} then N times
 *       {@code $len\r\n<len bytes>\r\n}. {@code *0} and negative counts are consumed and ignored.
 *   <li>Anything else is an inline line ending in {@code \n} (an {@code \r} before it is dropped),
 *       split by {@link InlineArgs} ({@code sdssplitargs}); blank lines are ignored.
 *   <li>On a protocol violation the decoder emits one {@link RespProtocolError} (after the requests
 *       that preceded it, in order) and from then on discards every byte it is given. The handler
 *       writes the error and closes the connection.
 * </ul>
 *
 * <p>Resumable: the state (where in which request, the arguments so far, the bulk bytes so far)
 * survives between reads, so a request split at any byte decodes the same, no byte of a bulk
 * payload is looked at twice, and header-line scans restart where the last one stopped. Bulk
 * payloads are copied out of the cumulation as they arrive into an array that grows (doubling,
 * capped at the declared length), and the argument array starts at most 1024 slots like Redis 7:
 * a declared length costs no memory until the bytes are actually sent.
 *
 * <p>Deliberate likenesses to Redis: the byte after a header line's {@code \r} and the two bytes
 * after a bulk payload are skipped without checking that they are {@code \n} / {@code \r\n}; a
 * {@code $} is checked only once the whole header line arrived. Deliberate differences, so that
 * the result never depends on how the bytes were split into reads: a header or inline line is
 * "too big" whenever it is longer than {@link RespLimits#maxInlineLength()} (Redis only notices
 * when that much is buffered without a terminator), and a NUL byte does not hide the line end
 * after it: Redis looks for {@code \r} / {@code \n} with {@code strchr}, which stops at NUL, so
 * {@code *\0\r\n} or {@code ECHO a\0b\r\n} leave redis-server 7.0 waiting for 64 KB more; here
 * the first is {@code invalid multibulk length} and the second is {@code ECHO a}
 * ({@code sdssplitargs} ignores the rest of the line after a NUL, as Redis would if it got there).
 * The default multibulk limit is Redis 6's 1024*1024 (Redis 7 waits up to INT_MAX elements).
 *
 * <p>Not thread-safe; one instance per channel (Netty's usual rule for decoders).
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {

  private enum State {
    /** Between requests: the next byte decides multibulk ({@code *}) or inline. */
    REQUEST_START,
    INLINE_LINE,
    /** Waiting for the {@code *N\r\n} line. */
    MULTIBULK_COUNT,
    /** Waiting for a {@code $len\r\n} line. */
    BULK_LENGTH,
    /** Copying {@code bulkLength} payload bytes into {@code bulk}. */
    BULK_PAYLOAD,
    /** Skipping the two bytes after the payload. */
    BULK_TERMINATOR,
    /** After a protocol error: everything is discarded. */
    BROKEN
  }

  /** Redis 7's initial argv capacity ({@code argv_len = min(multibulklen, 1024)}). */
  private static final int INITIAL_ARGV_CAPACITY = 1024;

  private static final byte[] EMPTY = new byte[0];

  private final RespLimits limits;

  private State state = State.REQUEST_START;
  /**
   * Bytes after the reader index already scanned for the current line's terminator without
   * finding it. Reset to 0 whenever bytes are consumed.
   */
  private int lineScanned;

  /** Arguments of the multibulk in progress; {@code argv[0..argc)} are filled. */
  private byte[][] argv;
  private int argc;
  /** Declared argument count of the multibulk in progress. */
  private int expectedArgc;

  /** Payload of the bulk in progress; {@code bulk[0..bulkFilled)} are filled. */
  private byte[] bulk;
  private int bulkFilled;
  private int bulkLength;

  /** Set by {@link #parseLong}: whether the last parse succeeded. */
  private boolean parsedOk;

  public RespRequestDecoder() {
    this(RespLimits.REDIS_DEFAULTS);
  }

  public RespRequestDecoder(RespLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Whether a protocol error was seen; all further input is discarded. */
  public boolean isBroken() {
    return state == State.BROKEN;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      boolean progressed;
      switch (state) {
        case REQUEST_START -> {
          if (!in.isReadable()) {
            return;
          }
          state = in.getByte(in.readerIndex()) == '*' ? State.MULTIBULK_COUNT : State.INLINE_LINE;
          progressed = true;
        }
        case INLINE_LINE -> progressed = decodeInline(in, out);
        case MULTIBULK_COUNT -> progressed = decodeMultibulkCount(in, out);
        case BULK_LENGTH -> progressed = decodeBulkLength(in, out);
        case BULK_PAYLOAD -> progressed = decodeBulkPayload(in);
        case BULK_TERMINATOR -> progressed = decodeBulkTerminator(in, out);
        case BROKEN -> {
          in.skipBytes(in.readableBytes());
          return;
        }
        default -> throw new IllegalStateException("state: " + state);
      }
      if (!progressed) {
        return;
      }
    }
  }

  private boolean decodeInline(ByteBuf in, List<Object> out) {
    int nl = findInLine(in, (byte) '\n');
    if (nl < 0) {
      if (in.readableBytes() > limits.maxInlineLength()) {
        return fail(in, out, "too big inline request",
            "inline line longer than " + limits.maxInlineLength() + " bytes without a newline");
      }
      return false;
    }
    int start = in.readerIndex();
    int len = nl - start;
    if (len > 0 && in.getByte(nl - 1) == '\r') {
      len--;
    }
    byte[] line = new byte[len];
    in.getBytes(start, line);
    consumeTo(in, nl + 1);
    byte[][] args = InlineArgs.split(line);
    if (args == null) {
      return fail(in, out, "unbalanced quotes in request",
          "inline line of " + len + " bytes has an unclosed quote or a quote not followed by a"
              + " space");
    }
    state = State.REQUEST_START;
    if (args.length > 0) {
      out.add(new RedisRequest(args, true));
    }
    return true;
  }

  private boolean decodeMultibulkCount(ByteBuf in, List<Object> out) {
    int cr = findHeaderLineEnd(in);
    if (cr == NEED_MORE) {
      return false;
    }
    if (cr == TOO_BIG) {
      return fail(in, out, "too big mbulk count string",
          "multibulk count line longer than " + limits.maxInlineLength() + " bytes");
    }
    int start = in.readerIndex();
    long count = parseLong(in, start + 1, cr);
    if (!parsedOk || count > limits.maxMultibulkLength()) {
      return fail(in, out, "invalid multibulk length",
          "multibulk length " + (parsedOk ? count : "'" + ascii(in, start + 1, cr) + "'")
              + " (expected: an integer <= " + limits.maxMultibulkLength() + ")");
    }
    consumeTo(in, cr + 2);
    if (count <= 0) {
      state = State.REQUEST_START; // *0, *-1: nothing to run, like Redis
      return true;
    }
    expectedArgc = (int) count;
    argv = new byte[Math.min(expectedArgc, INITIAL_ARGV_CAPACITY)][];
    argc = 0;
    state = State.BULK_LENGTH;
    return true;
  }

  private boolean decodeBulkLength(ByteBuf in, List<Object> out) {
    int cr = findHeaderLineEnd(in);
    if (cr == NEED_MORE) {
      return false;
    }
    if (cr == TOO_BIG) {
      return fail(in, out, "too big bulk count string",
          "bulk length line longer than " + limits.maxInlineLength() + " bytes");
    }
    int start = in.readerIndex();
    int first = in.getByte(start) & 0xFF;
    if (first != '$') {
      // Redis's addReplyErrorFormat turns \r and \n into spaces to keep the reply one line.
      char shown = first == '\r' || first == '\n' ? ' ' : (char) first;
      return fail(in, out, "expected '$', got '" + shown + "'",
          "argument " + argc + " of " + expectedArgc + " starts with byte " + first);
    }
    long len = parseLong(in, start + 1, cr);
    if (!parsedOk || len < 0 || len > limits.maxBulkLength()) {
      return fail(in, out, "invalid bulk length",
          "bulk length " + (parsedOk ? len : "'" + ascii(in, start + 1, cr) + "'")
              + " (expected: 0.." + limits.maxBulkLength() + ")");
    }
    consumeTo(in, cr + 2);
    bulkLength = (int) len; // <= maxBulkLength <= MAX_JAVA_ARRAY_LENGTH
    bulkFilled = 0;
    bulk = bulkLength == 0 ? EMPTY : null;
    state = State.BULK_PAYLOAD;
    return true;
  }

  private boolean decodeBulkPayload(ByteBuf in) {
    int n = Math.min(in.readableBytes(), bulkLength - bulkFilled);
    if (n > 0) {
      int needed = bulkFilled + n;
      if (bulk == null || bulk.length < needed) {
        // Grow geometrically but never past the declared length: memory follows bytes received.
        int capacity = bulk == null ? 0 : bulk.length;
        int newCapacity = (int) Math.min(bulkLength, Math.max(needed, 2L * capacity));
        bulk = bulk == null ? new byte[newCapacity] : Arrays.copyOf(bulk, newCapacity);
      }
      in.readBytes(bulk, bulkFilled, n);
      bulkFilled = needed;
    }
    if (bulkFilled < bulkLength) {
      return false;
    }
    // Invariant: the array grew only up to bulkLength and needed == bulkLength, so it is exact.
    state = State.BULK_TERMINATOR;
    return true;
  }

  private boolean decodeBulkTerminator(ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 2) {
      return false;
    }
    in.skipBytes(2); // Redis skips these two bytes without checking they are \r\n.
    if (argc == argv.length) {
      argv = Arrays.copyOf(argv, (int) Math.min(expectedArgc, 2L * argv.length));
    }
    argv[argc++] = bulk;
    bulk = null;
    if (argc < expectedArgc) {
      state = State.BULK_LENGTH;
      return true;
    }
    out.add(new RedisRequest(argv, false));
    argv = null;
    argc = 0;
    expectedArgc = 0;
    state = State.REQUEST_START;
    return true;
  }

  private static final int NEED_MORE = -1;
  private static final int TOO_BIG = -2;

  /**
   * Finds the {@code \r} ending a {@code *N} or {@code $len} line. Returns its absolute index
   * once the byte after it has arrived too (Redis's "buffer should also contain \n"), {@link
   * #NEED_MORE}, or {@link #TOO_BIG} if the line is longer than the inline limit.
   */
  private int findHeaderLineEnd(ByteBuf in) {
    int cr = findInLine(in, (byte) '\r');
    if (cr < 0) {
      return in.readableBytes() > limits.maxInlineLength() ? TOO_BIG : NEED_MORE;
    }
    if (cr + 1 >= in.writerIndex()) {
      lineScanned = cr - in.readerIndex(); // resume at the \r, not before
      return NEED_MORE;
    }
    return cr;
  }

  /**
   * Absolute index of {@code terminator} within the first {@code maxInlineLength + 1} readable
   * bytes, or -1. Continues where the previous call for the same line stopped.
   */
  private int findInLine(ByteBuf in, byte terminator) {
    int start = in.readerIndex();
    int window = (int) Math.min(in.readableBytes(), (long) limits.maxInlineLength() + 1);
    if (lineScanned >= window) {
      return -1;
    }
    int index = in.indexOf(start + lineScanned, start + window, terminator);
    if (index < 0) {
      lineScanned = window;
    }
    return index;
  }

  private void consumeTo(ByteBuf in, int index) {
    in.readerIndex(index);
    lineScanned = 0;
  }

  private boolean fail(ByteBuf in, List<Object> out, String redisText, String detail) {
    state = State.BROKEN;
    argv = null;
    bulk = null;
    in.skipBytes(in.readableBytes());
    lineScanned = 0;
    out.add(RespProtocolError.of(redisText, detail));
    return false;
  }

  /**
   * Redis's {@code string2ll} (util.c) on bytes {@code [from, to)}: an optional {@code -}, then
   * digits with no leading zero (except "0" itself), no sign {@code +}, no spaces, at most 20
   * characters, within the range of a long. Sets {@link #parsedOk}.
   */
  private long parseLong(ByteBuf in, int from, int to) {
    parsedOk = false;
    int len = to - from;
    if (len <= 0 || len > 20) {
      return 0;
    }
    if (len == 1 && in.getByte(from) == '0') {
      parsedOk = true;
      return 0;
    }
    int p = from;
    boolean negative = in.getByte(p) == '-';
    if (negative) {
      p++;
      if (p == to) {
        return 0;
      }
    }
    int d = in.getByte(p) - '0';
    if (d < 1 || d > 9) {
      return 0;
    }
    long v = d; // accumulated as an unsigned 64-bit value, like the C code
    for (p++; p < to; p++) {
      d = in.getByte(p) - '0';
      if (d < 0 || d > 9) {
        return 0;
      }
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
        return 0;
      }
      v *= 10;
      if (Long.compareUnsigned(v, -1L - d) > 0) {
        return 0;
      }
      v += d;
    }
    if (negative) {
      if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
        return 0;
      }
      parsedOk = true;
      return -v;
    }
    if (v < 0) {
      return 0;
    }
    parsedOk = true;
    return v;
  }

  /** At most 32 bytes of {@code [from, to)} for a log message. */
  private static String ascii(ByteBuf in, int from, int to) {
    int end = Math.min(to, from + 32);
    StringBuilder s = new StringBuilder();
    for (int i = from; i < end; i++) {
      int b = in.getByte(i) & 0xFF;
      s.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
    }
    return end < to ? s.append("...").toString() : s.toString();
  }

  /** Bytes allocated for the bulk payload in progress (for tests: memory follows bytes). */
  int bufferedPayloadCapacity() {
    return bulk == null ? 0 : bulk.length;
  }

  /** Slots allocated for the arguments of the multibulk in progress. */
  int argvCapacity() {
    return argv == null ? 0 : argv.length;
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    argv = null;
    bulk = null;
  }
}
