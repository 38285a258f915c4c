package io.cairn.gateway.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one inline command line into arguments exactly as Redis's {@code sdssplitargs} (sds.c)
 * does: blanks separate arguments; {@code "double quotes"} understand {@code \n \r \t \b \a},
 * {@code \xHH} and {@code \<any>}; {@code 'single quotes'} understand only {@code \'}; a closing
 * quote must be followed by a blank or the end of the line. Quotes may start inside a token
 * ({@code a"b c"} is the one argument {@code ab c}).
 *
 * <p>Like the C code, the line is a C string: a NUL byte ends it, and whatever follows is ignored.
 */
final class InlineArgs {

  private static final byte[][] NONE = new byte[0][];

  private InlineArgs() {}

  /**
   * Returns the arguments (possibly none, for a blank line), or {@code null} if a quote is not
   * closed or a closing quote is followed by something other than a blank (Redis's "unbalanced
   * quotes in request").
   */
  static byte[][] split(byte[] line) {
    int end = 0;
    while (end < line.length && line[end] != 0) {
      end++;
    }
    List<byte[]> args = null;
    byte[] token = new byte[end]; // no token is longer than the line
    int p = 0;
    while (true) {
      while (p < end && isSpace(line[p])) {
        p++;
      }
      if (p >= end) {
        return args == null ? NONE : args.toArray(NONE);
      }
      int len = 0;
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        int c = at(line, end, p);
        if (inDouble) {
          if (c == '\\' && at(line, end, p + 1) == 'x'
              && isHex(at(line, end, p + 2)) && isHex(at(line, end, p + 3))) {
            token[len++] = (byte) (hex(at(line, end, p + 2)) * 16 + hex(at(line, end, p + 3)));
            p += 3;
          } else if (c == '\\' && at(line, end, p + 1) != 0) {
            p++;
            token[len++] = switch (at(line, end, p)) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> 7;
              default -> (byte) at(line, end, p);
            };
          } else if (c == '"') {
            int next = at(line, end, p + 1);
            if (next != 0 && !isSpace((byte) next)) {
              return null;
            }
            done = true;
          } else if (c == 0) {
            return null; // unterminated "
          } else {
            token[len++] = (byte) c;
          }
        } else if (inSingle) {
          if (c == '\\' && at(line, end, p + 1) == '\'') {
            p++;
            token[len++] = '\'';
          } else if (c == '\'') {
            int next = at(line, end, p + 1);
            if (next != 0 && !isSpace((byte) next)) {
              return null;
            }
            done = true;
          } else if (c == 0) {
            return null; // unterminated '
          } else {
            token[len++] = (byte) c;
          }
        } else {
          switch (c) {
            case ' ', '\n', '\r', '\t', 0 -> done = true;
            case '"' -> inDouble = true;
            case '\'' -> inSingle = true;
            default -> token[len++] = (byte) c;
          }
        }
        if (p < end) {
          p++;
        }
      }
      if (args == null) {
        args = new ArrayList<>();
      }
      args.add(Arrays.copyOf(token, len));
    }
  }

  /** The byte at {@code i} as 0..255, or 0 (C's terminating NUL) at and after {@code end}. */
  private static int at(byte[] line, int end, int i) {
    return i < end ? line[i] & 0xFF : 0;
  }

  /** C's isspace in the "C" locale. */
  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == 0x0C;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c - 'A' + 10;
  }
}
