package io.cairn.store.types;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal blocking RESP2 client for the differential test: sends one command as an array of
 * bulk strings and parses the reply into a {@link Resp} tree. Every read has a socket timeout,
 * so a silent server fails the test instead of hanging it.
 */
final class RespClient implements AutoCloseable {

    /** A RESP2 reply as the wire shows it. */
    sealed interface Resp {
    }

    /** {@code +text}. */
    record Simple(String text) implements Resp {
        @Override
        public String toString() {
            return "+" + text;
        }
    }

    /** {@code -text}. */
    record Error(String text) implements Resp {
        @Override
        public String toString() {
            return "-" + text;
        }
    }

    /** {@code :n}. */
    record Int(long value) implements Resp {
        @Override
        public String toString() {
            return ":" + value;
        }
    }

    /** {@code $n} with its bytes. */
    record Bulk(byte[] value) implements Resp {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return '"' + printable(value) + '"';
        }
    }

    /** {@code *n}. */
    record Arr(List<Resp> items) implements Resp {
        @Override
        public String toString() {
            return items.toString();
        }
    }

    /** {@code $-1} (BULK) and {@code *-1} (ARRAY). */
    enum Null implements Resp {
        BULK, ARRAY;

        @Override
        public String toString() {
            return this == BULK ? "(nil)" : "(nil array)";
        }
    }

    /** Bytes as text with non-printable bytes as {@code \xNN}. */
    static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Sends {@code argv} and waits for its reply. */
    Resp call(byte[][] argv) throws IOException {
        out.write(('*' + Integer.toString(argv.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : argv) {
            out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        return read();
    }

    Resp call(String... argv) throws IOException {
        byte[][] b = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) {
            b[i] = argv[i].getBytes(StandardCharsets.UTF_8);
        }
        return call(b);
    }

    private Resp read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("server closed the connection");
        }
        String line = line();
        switch (type) {
            case '+':
                return new Simple(line);
            case '-':
                return new Error(line);
            case ':':
                return new Int(Long.parseLong(line));
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return Null.BULK;
                }
                byte[] b = in.readNBytes(n);
                if (b.length != n || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("truncated bulk string");
                }
                return new Bulk(b);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return Null.ARRAY;
                }
                List<Resp> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return new Arr(items);
            }
            default:
                throw new IOException("unexpected RESP2 type byte " + type);
        }
    }

    /** One CRLF-terminated line, without the CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("server closed the connection mid-line");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("CR without LF");
                }
                return b.toString(StandardCharsets.UTF_8);
            }
            b.write(c);
        }
    }

    /**
     * Our reply as RESP2 shows it: doubles as {@code %.17g} bulk strings, maps, sets and pairs
     * as flat arrays, nil bulk and nil array as {@code $-1} and {@code *-1}.
     */
    static Resp fromReply(Reply r) {
        if (r instanceof Reply.Status s) {
            return new Simple(s.text());
        }
        if (r instanceof Reply.Err e) {
            return new Error(e.text());
        }
        if (r instanceof Reply.Int i) {
            return new Int(i.value());
        }
        if (r instanceof Reply.Bulk b) {
            return new Bulk(b.value());
        }
        if (r instanceof Reply.Dbl d) {
            return new Bulk(Doubles.g17(d.value()).getBytes(StandardCharsets.US_ASCII));
        }
        if (r == Reply.Nil.BULK) {
            return Null.BULK;
        }
        if (r == Reply.Nil.ARRAY) {
            return Null.ARRAY;
        }
        List<Reply> items;
        if (r instanceof Reply.Arr a) {
            items = a.items();
        } else if (r instanceof Reply.MapReply m) {
            items = m.flat();
        } else if (r instanceof Reply.SetReply s) {
            items = s.items();
        } else if (r instanceof Reply.Pairs p) {
            items = p.flat();
        } else {
            throw new IllegalArgumentException("unknown reply " + r);
        }
        List<Resp> out = new ArrayList<>(items.size());
        for (Reply i : items) {
            out.add(fromReply(i));
        }
        return new Arr(out);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
