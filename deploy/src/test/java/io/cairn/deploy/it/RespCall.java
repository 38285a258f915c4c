package io.cairn.deploy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The smallest Redis client the launcher tests need: one command as a RESP array on a new
 * connection, the reply as text. No client library, so the tests see the bytes a client sees.
 */
public final class RespCall {
    private RespCall() {
    }

    /**
     * Sends {@code argv} to 127.0.0.1:{@code port} and returns the reply's text: one line, or for
     * a bulk string ({@code $n}) the line and the n bytes after it (ASCII arguments and replies only).
     */
    public static String call(int port, String... argv) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            StringBuilder req = new StringBuilder("*" + argv.length + "\r\n");
            for (String a : argv) {
                req.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String line = readLine(in);
            if (line.startsWith("$") && !line.equals("$-1\r\n")) {
                int n = Integer.parseInt(line.substring(1, line.length() - 2));
                return line + new String(in.readNBytes(n + 2), StandardCharsets.US_ASCII);
            }
            return line;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (c == '\n' && sb.length() > 1 && sb.charAt(sb.length() - 2) == '\r') {
                break;
            }
        }
        return sb.toString();
    }
}
