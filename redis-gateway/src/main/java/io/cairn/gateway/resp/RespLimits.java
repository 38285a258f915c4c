package io.cairn.gateway.resp;

/**
 * Limits the request decoder enforces on untrusted client input. A client that breaks one gets
 * Redis's protocol error and is disconnected.
 *
 * @param maxBulkLength bytes in one bulk argument ({@code proto-max-bulk-len}, Redis default
 *     512 MB); a larger declared {@code $len} is {@code invalid bulk length}
 * @param maxMultibulkLength arguments in one multibulk request (Redis 6's fixed 1024*1024); a
 *     larger declared {@code *N} is {@code invalid multibulk length}
 * @param maxInlineLength bytes in one inline command line, and in one {@code *N} / {@code $len}
 *     header line (Redis's {@code PROTO_INLINE_MAX_SIZE}, 64 KB)
 */
public record RespLimits(long maxBulkLength, int maxMultibulkLength, int maxInlineLength) {

  /** Redis's {@code proto-max-bulk-len} default: 512 MB. */
  public static final long REDIS_MAX_BULK_LENGTH = 512L * 1024 * 1024;
  /** Redis 6's multibulk length limit (Redis 7 accepts up to INT_MAX, allocating lazily). */
  public static final int REDIS_MAX_MULTIBULK_LENGTH = 1024 * 1024;
  /** Redis's {@code PROTO_INLINE_MAX_SIZE}: 64 KB. */
  public static final int REDIS_MAX_INLINE_LENGTH = 64 * 1024;

  /** A Java array holds at most this many bytes, so no bulk can be longer. */
  public static final long MAX_JAVA_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  public static final RespLimits REDIS_DEFAULTS =
      new RespLimits(REDIS_MAX_BULK_LENGTH, REDIS_MAX_MULTIBULK_LENGTH, REDIS_MAX_INLINE_LENGTH);

  public RespLimits {
    if (maxBulkLength < 0 || maxBulkLength > MAX_JAVA_ARRAY_LENGTH) {
      throw new IllegalArgumentException(
          "maxBulkLength: " + maxBulkLength + " (expected: 0.." + MAX_JAVA_ARRAY_LENGTH + ")");
    }
    if (maxMultibulkLength < 1) {
      throw new IllegalArgumentException(
          "maxMultibulkLength: " + maxMultibulkLength + " (expected: >= 1)");
    }
    // Header lines ("*N", "$len") must fit in the inline limit; 64 bytes covers any long.
    if (maxInlineLength < 64 || maxInlineLength > Integer.MAX_VALUE - 2) {
      throw new IllegalArgumentException(
          "maxInlineLength: " + maxInlineLength + " (expected: 64.." + (Integer.MAX_VALUE - 2)
              + ")");
    }
  }
}
