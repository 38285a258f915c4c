package io.cairn.gateway.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The routing state of one client connection: its per-group lanes (see {@link Lane}), its
 * READONLY flag and the group of its last write (for WAIT). Its writes' exactly-once sessions
 * are the gateway's, shared by all connections ({@link WriteSessions}).
 *
 * <p>Thread-safety: the held lanes and the READONLY flag are used on the connection's event loop;
 * the lanes are also used from gRPC threads and are synchronized.
 */
public final class RouteSession {
  private final Map<Long, Lane> lanes = new HashMap<>();
  /** Lanes with commands routed since the last {@link #flush()}; connection thread only. */
  private final List<Lane> held = new ArrayList<>();
  /** READONLY: reads may be served, possibly stale, by any replica. */
  private volatile boolean readonly;
  /** {@link #close()} was called; guarded by this. */
  private boolean closed;
  /** Group of the last write this connection sent; 0 = none (for WAIT). */
  private volatile long lastWriteGroup;
  /** Slot of the first key of that write; -1 = keyless (connection thread only). */
  private int lastWriteSlot = -1;

  public boolean readonly() {
    return readonly;
  }

  public void setReadonly(boolean on) {
    this.readonly = on;
  }

  public long lastWriteGroup() {
    return lastWriteGroup;
  }

  int lastWriteSlot() {
    return lastWriteSlot;
  }

  void noteWrite(long group, int slot) {
    lastWriteGroup = group;
    lastWriteSlot = slot;
  }

  /** Remembers a lane with held commands (connection thread). */
  void hold(Lane lane) {
    if (!held.contains(lane)) {
      held.add(lane);
    }
  }

  /**
   * Sends the commands routed since the last flush: the connection calls this at the end of each
   * read batch, so commands that arrived together leave together. Connection thread only.
   */
  public void flush() {
    for (Lane l : held) {
      l.kick();
    }
    held.clear();
  }

  synchronized Lane lane(long group, Router router) {
    Lane lane = lanes.computeIfAbsent(group, g -> new Lane(this, g, router));
    if (closed) {
      lane.close(); // a command re-routed after the close: dropped at once
    }
    return lane;
  }

  /**
   * The client connection closed: its commands that have not left for a store yet are dropped
   * (not sent; their futures complete with an error nobody reads), commands already in a call
   * complete without retries. Any thread; idempotent.
   */
  public void close() {
    List<Lane> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(lanes.values());
    }
    for (Lane l : all) {
      l.close();
    }
  }
}
