package io.cairn.store.types;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of a command, independent of the wire protocol (io.cairn.store.resp encodes it as
 * RESP2 or RESP3). The variants carry exactly the distinctions Redis makes between the two
 * protocol versions: a {@link Dbl} is a bulk string in RESP2 and a double in RESP3, a
 * {@link MapReply} a flat array or a map, a {@link SetReply} an array or a set, {@link Pairs} a
 * flat array or an array of two-element arrays.
 */
public sealed interface Reply {

    Reply OK = new Status("OK");
    Reply NIL = Nil.BULK;
    Reply NIL_ARRAY = Nil.ARRAY;
    Reply ZERO = new Int(0);
    Reply ONE = new Int(1);
    Reply EMPTY_ARRAY = new Arr(List.of());

    /** {@code +text}. */
    record Status(String text) implements Reply {
    }

    /** {@code -text}; the text starts with the error code ("ERR", "WRONGTYPE", ...). */
    record Err(String text) implements Reply {
    }

    record Int(long value) implements Reply {
    }

    record Bulk(byte[] value) implements Reply {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && java.util.Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bulk[" + new String(value, StandardCharsets.UTF_8) + "]";
        }
    }

    /** RESP2 {@code $-1} (BULK) or {@code *-1} (ARRAY); RESP3 {@code _} for both. */
    enum Nil implements Reply {
        BULK, ARRAY
    }

    record Arr(List<Reply> items) implements Reply {
    }

    /** RESP2: bulk string as Redis formats doubles ({@code %.17g}, "inf"); RESP3: double. */
    record Dbl(double value) implements Reply {
    }

    /** Key/value pairs, flat: RESP2 flat array, RESP3 map. */
    record MapReply(List<Reply> flat) implements Reply {
    }

    /** RESP2 array, RESP3 set. */
    record SetReply(List<Reply> items) implements Reply {
    }

    /** Pairs, flat: RESP2 flat array, RESP3 array of two-element arrays (ZRANGE WITHSCORES). */
    record Pairs(List<Reply> flat) implements Reply {
    }

    /**
     * Text for humans (INFO, CLIENT LIST): RESP2 bulk string of {@code text}; RESP3 verbatim string
     * {@code =len\r\nfmt:text}, as Redis 7's {@code addReplyVerbatim}. {@code format} is three
     * characters ("txt", "mkd").
     */
    record Verbatim(String format, byte[] text) implements Reply {
        public Verbatim {
            if (format.length() != 3) {
                throw new IllegalArgumentException("verbatim format '" + format + "' (expected: 3 characters)");
            }
        }

        public static Verbatim txt(String text) {
            return new Verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Verbatim v && format.equals(v.format) && java.util.Arrays.equals(text, v.text);
        }

        @Override
        public int hashCode() {
            return format.hashCode() * 31 + java.util.Arrays.hashCode(text);
        }

        @Override
        public String toString() {
            return "Verbatim[" + format + ":" + new String(text, StandardCharsets.UTF_8) + "]";
        }
    }

    static Reply integer(long v) {
        return v == 0 ? ZERO : v == 1 ? ONE : new Int(v);
    }

    static Reply bulk(byte[] v) {
        return v == null ? NIL : new Bulk(v);
    }

    static Reply bulk(String s) {
        return new Bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    static Reply err(String text) {
        return new Err(text);
    }

    static Reply bulks(List<byte[]> values) {
        List<Reply> r = new ArrayList<>(values.size());
        for (byte[] v : values) {
            r.add(bulk(v));
        }
        return new Arr(r);
    }

    static Reply array(List<Reply> items) {
        return new Arr(items);
    }
}
