package io.cairn.store.resp;

import io.cairn.store.types.Doubles;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a {@link Reply} as RESP2 or RESP3 bytes, byte for byte as Redis 7.0 writes them.
 *
 * <ul>
 *   <li>RESP2: a {@link Reply.Dbl} is a bulk string of {@link Doubles#g17} ("inf"/"-inf");
 *       {@link Reply.MapReply}, {@link Reply.SetReply} and {@link Reply.Pairs} are flat arrays;
 *       {@link Reply.Nil#BULK} is {@code $-1}, {@link Reply.Nil#ARRAY} {@code *-1}.</li>
 *   <li>RESP3: a double is {@code ,<g17>\r\n}; a map {@code %n}, a set {@code ~n}; pairs an array
 *       of two-element arrays; every nil {@code _\r\n}.</li>
 * </ul>
 *
 * <p>The frequent small replies ({@code +OK}, integers -1..{@value #MAX_CACHED_INT}, nils, the
 * empty array and bulk string) are encoded once into shared arrays, in the manner of netty's
 * {@code FixedRedisMessagePool}: {@link #encode} returns those arrays themselves, so callers
 * must never modify what it returns.
 */
public final class RespEncoder {
    public static final int RESP2 = 2;
    public static final int RESP3 = 3;
    static final int MAX_CACHED_INT = 1024;
    /** Deepest nesting encoded; deeper replies are a bug in a command, not client input. */
    private static final int MAX_DEPTH = 64;

    private static final byte[] CRLF = {'\r', '\n'};
    public static final byte[] OK = ascii("+OK\r\n");
    public static final byte[] NIL_BULK = ascii("$-1\r\n");
    public static final byte[] NIL_ARRAY = ascii("*-1\r\n");
    public static final byte[] NULL3 = ascii("_\r\n");
    public static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
    public static final byte[] EMPTY_BULK = ascii("$0\r\n\r\n");
    private static final byte[][] INTS = new byte[MAX_CACHED_INT + 2][];

    static {
        for (int i = -1; i <= MAX_CACHED_INT; i++) {
            INTS[i + 1] = ascii(":" + i + "\r\n");
        }
    }

    private RespEncoder() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The reply in protocol {@code protocol} (2 or 3). May return a shared array: do not modify it.
     */
    public static byte[] encode(Reply reply, int protocol) {
        boolean resp3 = checkProtocol(protocol);
        byte[] shared = shared(reply, resp3);
        if (shared != null) {
            return shared;
        }
        Out out = new Out(64);
        write(out, reply, resp3, 0);
        return out.toByteArray();
    }

    private static boolean checkProtocol(int protocol) {
        if (protocol != RESP2 && protocol != RESP3) {
            throw new IllegalArgumentException("protocol " + protocol + " (expected: 2 or 3)");
        }
        return protocol == RESP3;
    }

    /** The shared encoding of a reply, or null if it has none. */
    private static byte[] shared(Reply r, boolean resp3) {
        if (r == Reply.OK) {
            return OK;
        }
        if (r instanceof Reply.Int i) {
            long v = i.value();
            return v >= -1 && v <= MAX_CACHED_INT ? INTS[(int) v + 1] : null;
        }
        if (r instanceof Reply.Nil n) {
            return resp3 ? NULL3 : n == Reply.Nil.BULK ? NIL_BULK : NIL_ARRAY;
        }
        if (r instanceof Reply.Status s && s.text().equals("OK")) {
            return OK;
        }
        if (r instanceof Reply.Arr a && a.items().isEmpty()) {
            return EMPTY_ARRAY;
        }
        if (r instanceof Reply.Bulk b && b.value().length == 0) {
            return EMPTY_BULK;
        }
        return null;
    }

    private static void write(Out out, Reply r, boolean resp3, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("reply nested deeper than " + MAX_DEPTH);
        }
        byte[] shared = shared(r, resp3);
        if (shared != null) {
            out.write(shared);
            return;
        }
        if (r instanceof Reply.Status s) {
            line(out, '+', s.text());
        } else if (r instanceof Reply.Err e) {
            line(out, '-', e.text());
        } else if (r instanceof Reply.Int i) {
            out.write(':');
            out.writeLong(i.value());
            out.write(CRLF);
        } else if (r instanceof Reply.Bulk b) {
            bulk(out, b.value());
        } else if (r instanceof Reply.Verbatim v) {
            if (resp3) {
                header(out, '=', v.text().length + 4);
                out.write(v.format().getBytes(StandardCharsets.US_ASCII));
                out.write(':');
                out.write(v.text());
                out.write(CRLF);
            } else {
                bulk(out, v.text());
            }
        } else if (r instanceof Reply.Dbl d) {
            String text = doubleText(d.value());
            if (resp3) {
                line(out, ',', text);
            } else {
                bulk(out, text.getBytes(StandardCharsets.US_ASCII));
            }
        } else if (r instanceof Reply.Arr a) {
            aggregate(out, '*', a.items().size(), a.items(), resp3, depth);
        } else if (r instanceof Reply.MapReply m) {
            List<Reply> flat = m.flat();
            aggregate(out, resp3 ? '%' : '*', resp3 ? flat.size() / 2 : flat.size(), flat, resp3, depth);
        } else if (r instanceof Reply.SetReply s) {
            aggregate(out, resp3 ? '~' : '*', s.items().size(), s.items(), resp3, depth);
        } else if (r instanceof Reply.Pairs p) {
            List<Reply> flat = p.flat();
            if (!resp3) {
                aggregate(out, '*', flat.size(), flat, false, depth);
            } else {
                header(out, '*', flat.size() / 2);
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    header(out, '*', 2);
                    write(out, flat.get(i), true, depth + 2);
                    write(out, flat.get(i + 1), true, depth + 2);
                }
            }
        } else {
            // Nil is always shared; Reply is sealed, so nothing else exists.
            throw new IllegalArgumentException("unknown reply " + r);
        }
    }

    /** Redis's text of a double reply: {@code %.17g}, "inf", "-inf" (and "nan", never expected). */
    static String doubleText(double d) {
        return Double.isNaN(d) ? "nan" : Doubles.g17(d);
    }

    private static void aggregate(Out out, char type, int count, List<Reply> items, boolean resp3, int depth) {
        header(out, type, count);
        for (Reply item : items) {
            write(out, item, resp3, depth + 1);
        }
    }

    private static void header(Out out, char type, long count) {
        out.write(type);
        out.writeLong(count);
        out.write(CRLF);
    }

    private static void line(Out out, char type, String text) {
        out.write(type);
        // Redis replaces newlines in status and error texts with spaces so the reply stays one line.
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                b[i] = ' ';
            }
        }
        out.write(b);
        out.write(CRLF);
    }

    private static void bulk(Out out, byte[] value) {
        header(out, '$', value.length);
        out.write(value);
        out.write(CRLF);
    }

    /** A growable byte buffer without synchronization (ByteArrayOutputStream's is needless here). */
    private static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void write(char c) {
            ensure(1);
            buf[size++] = (byte) c;
        }

        void write(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void writeLong(long v) {
            if (v >= 0 && v < 10) {
                write((char) ('0' + v));
                return;
            }
            write(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
