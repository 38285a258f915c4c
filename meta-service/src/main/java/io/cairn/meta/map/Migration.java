package io.cairn.meta.map;

import java.util.Objects;

/**
 * A slot migration in flight (docs/slot-migration.md): one contiguous slot range moving from the
 * {@code source} group to the {@code target} group. {@code MOVING} until the map commit assigns
 * the range to the target ({@code CommitMigration}), then {@code COMMITTED} until the driver
 * finished both groups ({@code EndMigration}). Ids are assigned by the meta leader, ascending and
 * never reused ({@link ShardMap#nextMigrationId()}).
 */
public record Migration(long id, SlotRange range, long source, long target, Phase phase) {
  public Migration {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(phase, "phase");
  }

  /** A new migration, as {@code BeginMigration} records it. */
  public static Migration moving(long id, SlotRange range, long source, long target) {
    return new Migration(id, range, source, target, Phase.MOVING);
  }

  public Migration withPhase(Phase p) {
    return new Migration(id, range, source, target, p);
  }

  /** Whether the group is the migration's source or target. */
  public boolean involves(long group) {
    return source == group || target == group;
  }

  /** Phase of a migration. The codes are persisted (ShardMapCodec) and frozen. */
  public enum Phase {
    /** Begun: the source owns the range; the driver prepares, copies, freezes. Can be aborted. */
    MOVING(1),
    /** The map gives the range to the target; the driver finishes both groups. Only goes forward. */
    COMMITTED(2);

    public final int code;

    Phase(int code) {
      this.code = code;
    }

    public static Phase ofCode(int code) {
      for (Phase p : values()) {
        if (p.code == code) {
          return p;
        }
      }
      throw new MapException("unknown migration phase code: " + code + " (expected: 1..2)");
    }
  }
}
