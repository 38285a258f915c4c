package io.cairn.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking RESP2/RESP3 client for tests, over a real TCP socket. Replies become: status
 * {@code "+OK"}, error {@code "-ERR ..."} (both as strings with their type byte, so a test sees
 * which it got), integer {@link Long}, bulk {@link String} (UTF-8) or null, array/set/push
 * {@link List}, map {@link LinkedHashMap}, RESP3 null {@code null}, double {@link Double}, RESP3
 * verbatim string {@code "=txt:..."}.
 */
final class RespTestClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** The client side's {@code ip:port}, as the server's CLIENT LIST shows it. */
  String localAddr() {
    return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
  }

  RespTestClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    out = socket.getOutputStream();
  }

  /** How long a read may wait for the server (10 s unless set). */
  RespTestClient readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return this;
  }

  /** Encodes one command as a multibulk. */
  static byte[] command(String... args) {
    StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendRaw(String ascii) throws IOException {
    sendRaw(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends one command and reads its reply. */
  Object call(String... args) throws IOException {
    sendRaw(command(args));
    return read();
  }

  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    switch (type) {
      case '+':
        return "+" + line();
      case '-':
        return "-" + line();
      case ':':
        return Long.parseLong(line());
      case ',':
        return Double.parseDouble(line());
      case '_':
        line();
        return null;
      case '$': {
        int len = Integer.parseInt(line());
        if (len < 0) {
          return null;
        }
        byte[] b = in.readNBytes(len);
        in.readNBytes(2);
        return new String(b, StandardCharsets.UTF_8);
      }
      case '=': {
        // RESP3 verbatim string: returned with its "txt:" prefix, so a test sees the type.
        int len = Integer.parseInt(line());
        byte[] b = in.readNBytes(len);
        in.readNBytes(2);
        return "=" + new String(b, StandardCharsets.UTF_8);
      }
      case '*':
      case '~':
      case '>': {
        int n = Integer.parseInt(line());
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        return items;
      }
      case '%': {
        int n = Integer.parseInt(line());
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          Object k = read();
          map.put(k, read());
        }
        return map;
      }
      default:
        throw new IOException("unexpected reply type byte " + type);
    }
  }

  /** True if the server closed the connection (EOF) within the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      // Whatever the server still sends is drained; a closed connection ends in EOF or reset.
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset: closed too
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("connection closed inside a reply line");
      }
      b.write(c);
    }
    in.read(); // '\n'
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
