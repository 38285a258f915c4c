package io.cairn.meta.map;

/** State of a store node. The codes are persisted (ShardMapCodec) and frozen. */
public enum StoreState {
  UP(1),
  DOWN(2),
  /** Removed for good; the id stays reserved and is never reused. */
  REMOVED(3);

  public final int code;

  StoreState(int code) {
    this.code = code;
  }

  public static StoreState ofCode(int code) {
    for (StoreState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new MapException("unknown store state code: " + code + " (expected: 1..3)");
  }
}
