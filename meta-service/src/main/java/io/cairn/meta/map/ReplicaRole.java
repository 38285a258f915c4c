package io.cairn.meta.map;

/** Role of a replica in its group. The codes are persisted (ShardMapCodec) and frozen. */
public enum ReplicaRole {
  /** Votes and counts for commitment. */
  VOTER(1),
  /** Receives the log to catch up, does not vote; promoted to VOTER once caught up. */
  LEARNER(2),
  /** Non-voting replica that serves reads (BW-Raft observer). */
  OBSERVER(3);

  public final int code;

  ReplicaRole(int code) {
    this.code = code;
  }

  public static ReplicaRole ofCode(int code) {
    for (ReplicaRole r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new MapException("unknown replica role code: " + code + " (expected: 1..3)");
  }
}
