package io.cairn.gateway;

import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Redis's slow log: the latest commands that took at least {@code slowlog-log-slower-than}
 * microseconds, at most {@code slowlog-max-len} of them, newest first.
 *
 * <p>{@link #record} is the one hook: the gateway calls it for every command it completes,
 * whether it answered it itself or a store did (then when the routed reply arrives, from any
 * thread). Thread-safe: one lock around a small deque; the argv copy and trimming happen only
 * for commands slower than the threshold, outside the lock.
 */
public final class SlowLog {

  /** Redis's {@code SLOWLOG_ENTRY_MAX_ARGC}: arguments kept per entry. */
  static final int MAX_ARGC = 32;
  /** Redis's {@code SLOWLOG_ENTRY_MAX_STRING}: bytes kept per argument. */
  static final int MAX_STRING = 128;

  /** One entry, Redis's six fields. {@code argv} is already trimmed. */
  record Entry(long id, long unixSeconds, long durationMicros, List<byte[]> argv, String addr,
      String name) {
    Reply toReply() {
      List<Reply> args = new ArrayList<>(argv.size());
      for (byte[] a : argv) {
        args.add(new Reply.Bulk(a));
      }
      return new Reply.Arr(List.of(new Reply.Int(id), new Reply.Int(unixSeconds),
          new Reply.Int(durationMicros), new Reply.Arr(args), Reply.bulk(addr),
          Reply.bulk(name)));
    }
  }

  private volatile long slowerThanMicros;
  private volatile int maxLen;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long nextId;

  public SlowLog(long slowerThanMicros, int maxLen) {
    this.slowerThanMicros = slowerThanMicros;
    this.maxLen = maxLen;
  }

  /**
   * Logs a command if it took at least the threshold (never when the threshold is negative).
   *
   * @param argv the request, as received (not modified; copied only when logged)
   * @param durationMicros how long the command took
   * @param addr the client's {@code ip:port}
   * @param name the client's name, or null
   */
  public void record(byte[][] argv, long durationMicros, String addr, String name) {
    long threshold = slowerThanMicros;
    if (threshold < 0 || durationMicros < threshold) {
      return;
    }
    List<byte[]> trimmed = trim(argv);
    long now = System.currentTimeMillis() / 1000;
    synchronized (this) {
      entries.addFirst(new Entry(nextId++, now, durationMicros, trimmed, addr,
          name == null ? "" : name));
      while (entries.size() > maxLen) {
        entries.removeLast();
      }
    }
  }

  /** Redis's {@code slowlogCreateEntry} argument trimming, with AUTH / HELLO AUTH redacted. */
  static List<byte[]> trim(byte[][] argv) {
    int argc = Math.min(argv.length, MAX_ARGC);
    boolean[] redact = redacted(argv);
    List<byte[]> out = new ArrayList<>(argc);
    for (int j = 0; j < argc; j++) {
      byte[] a = argv[j];
      if (argc != argv.length && j == argc - 1) {
        out.add(ascii("... (" + (argv.length - argc + 1) + " more arguments)"));
      } else if (redact[j]) {
        out.add(ascii("(redacted)"));
      } else if (a.length > MAX_STRING) {
        byte[] head = Arrays.copyOf(a, MAX_STRING);
        byte[] tail = ascii("... (" + (a.length - MAX_STRING) + " more bytes)");
        byte[] both = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, both, head.length, tail.length);
        out.add(both);
      } else {
        out.add(a.clone());
      }
    }
    return out;
  }

  /** Secrets Redis redacts before logging: AUTH's arguments, HELLO's AUTH user and password. */
  private static boolean[] redacted(byte[][] argv) {
    boolean[] r = new boolean[argv.length];
    String cmd = new String(argv[0], StandardCharsets.ISO_8859_1);
    if (cmd.equalsIgnoreCase("auth")) {
      Arrays.fill(r, 1, argv.length, true);
    } else if (cmd.equalsIgnoreCase("hello")) {
      for (int j = 2; j + 2 < argv.length; j++) {
        if (new String(argv[j], StandardCharsets.ISO_8859_1).equalsIgnoreCase("auth")) {
          r[j + 1] = true;
          r[j + 2] = true;
          j += 2;
        }
      }
    }
    return r;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The newest {@code count} entries, newest first; negative: all. */
  public synchronized List<Entry> get(long count) {
    List<Entry> out = new ArrayList<>();
    Iterator<Entry> it = entries.iterator();
    while (it.hasNext() && (count < 0 || out.size() < count)) {
      out.add(it.next());
    }
    return out;
  }

  public synchronized int length() {
    return entries.size();
  }

  /** Empties the log (ids keep counting, as in Redis). */
  public synchronized void reset() {
    entries.clear();
  }

  public long slowerThanMicros() {
    return slowerThanMicros;
  }

  public void setSlowerThanMicros(long micros) {
    this.slowerThanMicros = micros;
  }

  public int maxLen() {
    return maxLen;
  }

  /** Changes the capacity; extra entries go on the next record (Redis trims on the next add too). */
  public void setMaxLen(int maxLen) {
    this.maxLen = maxLen;
  }
}
