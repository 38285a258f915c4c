package io.cairn.gateway;

import io.cairn.store.types.CommandFlag;
import io.cairn.store.types.CommandSpec;
import io.cairn.store.types.CommandTable;
import io.cairn.store.types.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of {@code COMMAND INFO} for every command a client can send to the gateway: the
 * shard-store data commands ({@link CommandTable#standard()}) plus the gateway's own connection
 * commands. Shape as Redis 7.0: name, arity, flags, first key, last key, step, then ACL
 * categories, tips, key specs and subcommands.
 *
 * <p>Not like Redis yet: ACL categories, tips, key specs and subcommands are always empty.
 */
record GatewayCommandInfo(String name, int arity, List<String> flags, int firstKey, int lastKey,
    int step) {

  static GatewayCommandInfo ofSpec(CommandSpec spec) {
    List<String> flags = new ArrayList<>();
    for (CommandFlag f : spec.flags()) {
      if (f.redisName() != null) { // Cairn's own flags are not Redis's to see
        flags.add(f.redisName());
      }
    }
    return new GatewayCommandInfo(spec.name(), spec.arity(), flags, spec.firstKey(), spec.lastKey(),
        spec.step());
  }

  Reply toReply() {
    List<Reply> flagReplies = new ArrayList<>(flags.size());
    for (String f : flags) {
      flagReplies.add(new Reply.Status(f));
    }
    return new Reply.Arr(List.of(
        new Reply.Bulk(name.getBytes(StandardCharsets.UTF_8)),
        new Reply.Int(arity),
        new Reply.SetReply(flagReplies),
        new Reply.Int(firstKey),
        new Reply.Int(lastKey),
        new Reply.Int(step),
        new Reply.SetReply(List.of()),
        Reply.EMPTY_ARRAY,
        Reply.EMPTY_ARRAY,
        Reply.EMPTY_ARRAY));
  }

  /** All rows by lower-case name: the data table first, the gateway's own rows on top. */
  static Map<String, GatewayCommandInfo> catalog(CommandTable data,
      Collection<GatewayCommandInfo> own) {
    Map<String, GatewayCommandInfo> all = new TreeMap<>();
    for (CommandSpec spec : data.all()) {
      all.put(spec.name().toLowerCase(Locale.ROOT), ofSpec(spec));
    }
    for (GatewayCommandInfo info : own) {
      if (all.put(info.name(), info) != null) {
        throw new IllegalStateException("command in both the gateway and the data table: "
            + info.name());
      }
    }
    return all;
  }
}
