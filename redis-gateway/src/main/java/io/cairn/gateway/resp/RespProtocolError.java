package io.cairn.gateway.resp;

import java.nio.charset.StandardCharsets;

/**
 * Emitted by {@link RespRequestDecoder} in place of a request when the client broke the protocol.
 * The handler writes {@link #errorReply()} and closes the connection; the decoder has already
 * stopped decoding and discards everything the client sends after it.
 *
 * @param message the text after {@code -}, exactly as redis-server sends it, e.g. {@code ERR
 *     Protocol error: invalid bulk length}
 * @param detail for logs: what was wrong with which numbers, e.g. {@code bulk length 600000000
 *     (expected: 0..536870912)}; never sent to the client
 */
public record RespProtocolError(String message, String detail) {

  /** The RESP error reply, {@code -message\r\n}; bytes as sent (one byte per char). */
  public byte[] errorReply() {
    return ("-" + message + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  static RespProtocolError of(String redisText, String detail) {
    return new RespProtocolError("ERR Protocol error: " + redisText, detail);
  }
}
