package io.cairn.gateway.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One command as the client sent it: the arguments, the command name first, as raw bytes.
 * Never empty (empty inline lines and {@code *0} / {@code *-1} produce no request, as in Redis).
 *
 * @param argv the arguments; owned by the request, callers must not modify them
 * @param inline true if it came as an inline line ({@code PING\r\n}) rather than a multibulk
 */
public record RedisRequest(byte[][] argv, boolean inline) {

  public RedisRequest {
    if (argv.length == 0) {
      throw new IllegalArgumentException("argv: empty (expected: at least the command name)");
    }
  }

  /** Number of arguments including the command name. */
  public int argc() {
    return argv.length;
  }

  /** Argument {@code i} as a string, ISO-8859-1 so every byte survives (for tests and logs). */
  public String arg(int i) {
    return new String(argv[i], StandardCharsets.ISO_8859_1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedisRequest r && inline == r.inline && Arrays.deepEquals(argv, r.argv);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(argv) * 31 + Boolean.hashCode(inline);
  }

  @Override
  public String toString() {
    return (inline ? "inline" : "multibulk")
        + Arrays.stream(argv)
            .map(a -> new String(a, StandardCharsets.ISO_8859_1))
            .collect(Collectors.joining("\", \"", "[\"", "\"]"));
  }
}
