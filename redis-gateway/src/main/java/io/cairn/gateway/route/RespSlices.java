package io.cairn.gateway.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough RESP2/RESP3 reading to merge the replies of a split command: the elements of a
 * top-level aggregate as byte slices (copied through untouched), integers, bulk strings. The
 * input is a store's reply, so it is trusted to be well formed; a malformed one throws
 * {@link IllegalArgumentException}.
 */
final class RespSlices {

  private RespSlices() {
  }

  static boolean isError(byte[] resp) {
    return resp.length > 0 && (resp[0] == '-' || resp[0] == '!');
  }

  /** The value of a {@code :n} reply. */
  static long integer(byte[] resp) {
    if (resp.length == 0 || resp[0] != ':') {
      throw new IllegalArgumentException("not an integer reply: " + preview(resp));
    }
    return Long.parseLong(new String(resp, 1, lineEnd(resp, 1) - 1, StandardCharsets.US_ASCII));
  }

  /** The content of a {@code $len} bulk string reply. */
  static byte[] bulk(byte[] resp) {
    if (resp.length == 0 || resp[0] != '$') {
      throw new IllegalArgumentException("not a bulk reply: " + preview(resp));
    }
    int end = lineEnd(resp, 1);
    int len = Integer.parseInt(new String(resp, 1, end - 1, StandardCharsets.US_ASCII));
    byte[] out = new byte[len];
    System.arraycopy(resp, end + 2, out, 0, len);
    return out;
  }

  /** The elements of a top-level array/set/push reply, each as its own complete RESP bytes. */
  static List<byte[]> elements(byte[] resp) {
    if (resp.length == 0 || (resp[0] != '*' && resp[0] != '~' && resp[0] != '>')) {
      throw new IllegalArgumentException("not an array reply: " + preview(resp));
    }
    int end = lineEnd(resp, 1);
    int n = Integer.parseInt(new String(resp, 1, end - 1, StandardCharsets.US_ASCII));
    List<byte[]> out = new ArrayList<>(Math.max(n, 0));
    int pos = end + 2;
    for (int i = 0; i < n; i++) {
      int next = skip(resp, pos);
      byte[] e = new byte[next - pos];
      System.arraycopy(resp, pos, e, 0, e.length);
      out.add(e);
      pos = next;
    }
    return out;
  }

  /** {@code *n} followed by the elements. */
  static byte[] array(List<byte[]> elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("*" + elements.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] e : elements) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  static byte[] bulkOf(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 16);
    out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(b);
    out.writeBytes(new byte[] {'\r', '\n'});
    return out.toByteArray();
  }

  /** Position just after the RESP value starting at {@code pos}. */
  private static int skip(byte[] b, int pos) {
    byte type = b[pos];
    int end = lineEnd(b, pos + 1);
    switch (type) {
      case '+', '-', ':', ',', '_', '#', '(':
        return end + 2;
      case '$', '!', '=': {
        int len = Integer.parseInt(new String(b, pos + 1, end - pos - 1, StandardCharsets.US_ASCII));
        return len < 0 ? end + 2 : end + 2 + len + 2;
      }
      case '*', '~', '>', '%', '|': {
        int n = Integer.parseInt(new String(b, pos + 1, end - pos - 1, StandardCharsets.US_ASCII));
        int items = (type == '%' || type == '|') ? 2 * n : n;
        int p = end + 2;
        for (int i = 0; i < items; i++) {
          p = skip(b, p);
        }
        return p;
      }
      default:
        throw new IllegalArgumentException("unknown RESP type byte " + (type & 0xFF));
    }
  }

  /** Index of the '\r' ending the line that starts at {@code from}. */
  private static int lineEnd(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated RESP line: " + preview(b));
  }

  private static String preview(byte[] b) {
    return new String(b, 0, Math.min(b.length, 40), StandardCharsets.ISO_8859_1);
  }
}
