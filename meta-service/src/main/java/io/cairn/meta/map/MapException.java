package io.cairn.meta.map;

/** An invalid change to the shard map; the message names the offending id or value and the rule. */
public final class MapException extends RuntimeException {
  public MapException(String message) {
    super(message);
  }
}
