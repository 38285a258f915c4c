package io.cairn.gateway;

import io.cairn.store.types.Args;
import io.cairn.store.types.Reply;
import java.util.ArrayList;
import java.util.List;

/** SLOWLOG GET [count] / LEN / RESET / HELP over a {@link SlowLog}, as Redis 7.0. */
final class SlowLogCommand {

  /** SLOWLOG GET without a count: Redis's 10. */
  static final int DEFAULT_GET_COUNT = 10;

  private static final Reply HELP = new Reply.Arr(List.of(
      status("SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
      status("GET [<count>]"),
      status("    Return top <count> entries from the slowlog (default: 10, -1 mean all)."),
      status("    Entries are made of:"),
      status("    id, timestamp, time in microseconds, arguments array, client IP and port,"),
      status("    client name"),
      status("LEN"),
      status("    Return the length of the slowlog."),
      status("RESET"),
      status("    Reset the slowlog."),
      status("HELP"),
      status("    Prints this help.")));

  private final SlowLog log;

  SlowLogCommand(SlowLog log) {
    this.log = log;
  }

  private static Reply status(String s) {
    return new Reply.Status(s);
  }

  Reply get(ConnectionState conn, byte[][] argv) {
    if (argv.length > 3) {
      return new Reply.Err("ERR unknown subcommand or wrong number of arguments for '"
          + Args.str(argv[1]) + "'. Try SLOWLOG HELP.");
    }
    long count = DEFAULT_GET_COUNT;
    if (argv.length == 3) {
      // Redis answers the same text for a non-number and for a number below -1.
      if (!Args.isStrictLong(argv[2]) || Args.parseLong(argv[2]) < -1) {
        return new Reply.Err("ERR count should be greater than or equal to -1");
      }
      count = Args.parseLong(argv[2]);
    }
    List<Reply> out = new ArrayList<>();
    for (SlowLog.Entry e : log.get(count)) {
      out.add(e.toReply());
    }
    return new Reply.Arr(out);
  }

  Reply len(ConnectionState conn, byte[][] argv) {
    return new Reply.Int(log.length());
  }

  Reply reset(ConnectionState conn, byte[][] argv) {
    log.reset();
    return Reply.OK;
  }

  Reply help(ConnectionState conn, byte[][] argv) {
    return HELP;
  }
}
