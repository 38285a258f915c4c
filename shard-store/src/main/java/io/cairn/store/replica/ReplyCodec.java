package io.cairn.store.replica;

import io.cairn.store.types.Reply;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact, protocol-neutral binary form of a {@link Reply}, used to remember the reply of a
 * write per session (exactly-once). Tags are frozen (docs/storage-format.md):
 * 1 status, 2 error, 3 integer, 4 bulk, 5 nil bulk, 6 nil array, 7 array, 8 double, 9 map,
 * 10 set, 11 pairs.
 */
public final class ReplyCodec {
    private ReplyCodec() {
    }

    public static byte[] encode(Reply r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Reply decode(byte[] b) {
        return decode(b, 0);
    }

    /** Decodes the reply that starts at {@code offset} of {@code b} (bytes after it are ignored). */
    static Reply decode(byte[] b, int offset) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b, offset, b.length - offset))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the encoded reply that starts at {@code offset} of {@code b} ends (the offset of the
     * byte after it), without decoding it: session headers keep several replies one after another.
     */
    static int end(byte[] b, int offset) {
        int tag = b[offset];
        int at = offset + 1;
        switch (tag) {
            case 1, 2, 4: return at + 4 + readInt(b, at);
            case 3, 8: return at + 8;
            case 5, 6: return at;
            case 7, 9, 10, 11: {
                int n = readInt(b, at);
                at += 4;
                for (int i = 0; i < n; i++) {
                    at = end(b, at);
                }
                return at;
            }
            case 12: {
                at += 4 + readInt(b, at);
                return at + 4 + readInt(b, at);
            }
            default: throw new IllegalArgumentException("unknown reply tag " + tag);
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeList(DataOutputStream out, List<Reply> items) throws IOException {
        out.writeInt(items.size());
        for (Reply i : items) {
            write(out, i);
        }
    }

    private static void write(DataOutputStream out, Reply r) throws IOException {
        if (r instanceof Reply.Status s) {
            out.writeByte(1);
            writeBytes(out, s.text().getBytes(StandardCharsets.UTF_8));
        } else if (r instanceof Reply.Err e) {
            out.writeByte(2);
            writeBytes(out, e.text().getBytes(StandardCharsets.UTF_8));
        } else if (r instanceof Reply.Int i) {
            out.writeByte(3);
            out.writeLong(i.value());
        } else if (r instanceof Reply.Bulk b) {
            out.writeByte(4);
            writeBytes(out, b.value());
        } else if (r == Reply.Nil.BULK) {
            out.writeByte(5);
        } else if (r == Reply.Nil.ARRAY) {
            out.writeByte(6);
        } else if (r instanceof Reply.Arr a) {
            out.writeByte(7);
            writeList(out, a.items());
        } else if (r instanceof Reply.Dbl d) {
            out.writeByte(8);
            out.writeDouble(d.value());
        } else if (r instanceof Reply.MapReply m) {
            out.writeByte(9);
            writeList(out, m.flat());
        } else if (r instanceof Reply.SetReply s) {
            out.writeByte(10);
            writeList(out, s.items());
        } else if (r instanceof Reply.Pairs p) {
            out.writeByte(11);
            writeList(out, p.flat());
        } else if (r instanceof Reply.Verbatim v) {
            out.writeByte(12);
            writeBytes(out, v.format().getBytes(StandardCharsets.US_ASCII));
            writeBytes(out, v.text());
        } else {
            throw new IllegalArgumentException("unknown reply " + r);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    private static List<Reply> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<Reply> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(read(in));
        }
        return items;
    }

    private static Reply read(DataInputStream in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 1: return new Reply.Status(new String(readBytes(in), StandardCharsets.UTF_8));
            case 2: return new Reply.Err(new String(readBytes(in), StandardCharsets.UTF_8));
            case 3: return Reply.integer(in.readLong());
            case 4: return new Reply.Bulk(readBytes(in));
            case 5: return Reply.NIL;
            case 6: return Reply.NIL_ARRAY;
            case 7: return new Reply.Arr(readList(in));
            case 8: return new Reply.Dbl(in.readDouble());
            case 9: return new Reply.MapReply(readList(in));
            case 10: return new Reply.SetReply(readList(in));
            case 11: return new Reply.Pairs(readList(in));
            case 12: return new Reply.Verbatim(new String(readBytes(in), StandardCharsets.US_ASCII), readBytes(in));
            default: throw new IllegalArgumentException("unknown reply tag " + tag);
        }
    }
}
