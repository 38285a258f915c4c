package io.cairn.gateway;

import io.cairn.store.types.Args;
import io.cairn.store.types.Reply;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CLIENT LIST, CLIENT INFO and CLIENT KILL over the gateway's {@link ClientRegistry}, with Redis
 * 7.0's syntax, replies and error texts. Killing closes the other connection on its own event
 * loop; a client killing itself gets its reply first (Redis's CLOSE_AFTER_REPLY).
 */
final class ClientCommands {

  private final GatewayOps ops;

  ClientCommands(GatewayOps ops) {
    this.ops = ops;
  }

  /** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]. */
  Reply list(ConnectionState conn, byte[][] argv) {
    Set<Long> ids = null;
    boolean normal = true;
    if (argv.length == 4 && Args.str(argv[2]).equalsIgnoreCase("type")) {
      String type = Args.str(argv[3]).toLowerCase(Locale.ROOT);
      if (!isClientType(type)) {
        return new Reply.Err("ERR Unknown client type '" + Args.str(argv[3]) + "'");
      }
      normal = type.equals("normal");
    } else if (argv.length > 3 && Args.str(argv[2]).equalsIgnoreCase("id")) {
      ids = new LinkedHashSet<>();
      for (int j = 3; j < argv.length; j++) {
        if (!Args.isStrictLong(argv[j]) || Args.parseLong(argv[j]) <= 0) {
          return new Reply.Err("ERR Invalid client ID");
        }
        ids.add(Args.parseLong(argv[j]));
      }
    } else if (argv.length != 2) {
      return GatewayCommands.SYNTAX_ERROR;
    }
    StringBuilder sb = new StringBuilder();
    if (normal) {
      if (ids == null) {
        for (ClientRegistry.Client c : ops.clients().all()) {
          line(sb, c);
        }
      } else {
        for (long id : ids) {
          ClientRegistry.Client c = ops.clients().get(id);
          if (c != null) {
            line(sb, c);
          }
        }
      }
    }
    return Reply.Verbatim.txt(sb.toString());
  }

  /** CLIENT INFO: this connection's CLIENT LIST line. */
  Reply info(ConnectionState conn, byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    ClientRegistry.Client self = ops.clients().get(conn.id);
    if (self != null) {
      line(sb, self);
    }
    return Reply.Verbatim.txt(sb.toString());
  }

  private static boolean isClientType(String type) {
    return type.equals("normal") || type.equals("master") || type.equals("replica")
        || type.equals("slave") || type.equals("pubsub");
  }

  /**
   * Redis 7's {@code catClientInfoString} field order; what the gateway does not track (buffers,
   * memory, fd) is 0, as for an idle client, and lib-name / lib-ver are appended as Redis 7.2
   * does.
   */
  private static void line(StringBuilder sb, ClientRegistry.Client c) {
    ConnectionState s = c.state();
    long now = System.currentTimeMillis();
    String name = s.name;
    String libName = s.libName;
    String libVer = s.libVersion;
    sb.append("id=").append(s.id)
        .append(" addr=").append(c.addr())
        .append(" laddr=").append(c.laddr())
        .append(" fd=0")
        .append(" name=").append(name == null ? "" : name)
        .append(" age=").append(Math.max(0, (now - s.createdMillis) / 1000))
        .append(" idle=").append(Math.max(0, (now - s.lastInteractionMillis) / 1000))
        .append(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0")
        .append(" multi-mem=0 rbs=0 rbp=0 obl=0 oll=0")
        .append(" omem=").append(c.pendingOutputBytes())
        .append(" tot-mem=0 events=r")
        .append(" cmd=").append(s.lastCommand)
        .append(" user=default redir=-1")
        .append(" resp=").append(s.protocol)
        .append(" lib-name=").append(libName == null ? "" : libName)
        .append(" lib-ver=").append(libVer == null ? "" : libVer)
        .append('\n');
  }

  /**
   * CLIENT KILL ip:port (old form: OK or "No such client") | CLIENT KILL filter value ... with
   * the filters ID, ADDR, LADDR, USER, TYPE, SKIPME, MAXAGE (new form: the number killed).
   */
  Reply kill(ConnectionState conn, byte[][] argv) {
    if (argv.length == 3) {
      String addr = Args.str(argv[2]);
      for (ClientRegistry.Client c : ops.clients().all()) {
        if (c.addr().equals(addr)) {
          killOne(ops.clients(), conn, c);
          return Reply.OK;
        }
      }
      return new Reply.Err("ERR No such client");
    }
    if (argv.length % 2 != 0) {
      return GatewayCommands.SYNTAX_ERROR;
    }
    Long id = null;
    String addr = null;
    String laddr = null;
    String user = null;
    String type = null;
    long maxAge = 0;
    boolean skipMe = true;
    for (int i = 2; i < argv.length; i += 2) {
      String opt = Args.str(argv[i]).toLowerCase(Locale.ROOT);
      String val = Args.str(argv[i + 1]);
      switch (opt) {
        case "id" -> {
          if (!Args.isStrictLong(argv[i + 1]) || Args.parseLong(argv[i + 1]) <= 0) {
            return new Reply.Err("ERR client-id should be greater than 0");
          }
          id = Args.parseLong(argv[i + 1]);
        }
        case "addr" -> addr = val;
        case "laddr" -> laddr = val;
        case "user" -> {
          if (!val.equals("default")) {
            return new Reply.Err("ERR No such user '" + val + "'");
          }
          user = val;
        }
        case "type" -> {
          type = val.toLowerCase(Locale.ROOT);
          if (!isClientType(type)) {
            return new Reply.Err("ERR Unknown client type '" + val + "'");
          }
        }
        case "skipme" -> {
          if (val.equalsIgnoreCase("yes")) {
            skipMe = true;
          } else if (val.equalsIgnoreCase("no")) {
            skipMe = false;
          } else {
            return GatewayCommands.SYNTAX_ERROR;
          }
        }
        case "maxage" -> {
          if (!Args.isStrictLong(argv[i + 1])) {
            return GatewayCommands.NOT_AN_INTEGER;
          }
          maxAge = Args.parseLong(argv[i + 1]);
        }
        default -> {
          return GatewayCommands.SYNTAX_ERROR;
        }
      }
    }
    long now = System.currentTimeMillis();
    List<ClientRegistry.Client> victims = new ArrayList<>();
    for (ClientRegistry.Client c : ops.clients().all()) {
      if ((id != null && c.id() != id)
          || (addr != null && !c.addr().equals(addr))
          || (laddr != null && !c.laddr().equals(laddr))
          || (type != null && !type.equals("normal"))
          || (maxAge > 0 && (now - c.state().createdMillis) / 1000 <= maxAge)
          || (skipMe && c.id() == conn.id)) {
        continue;
      }
      victims.add(c); // user: the only user is default, every client matches it
    }
    victims.forEach(c -> killOne(ops.clients(), conn, c));
    return new Reply.Int(victims.size());
  }

  private static void killOne(ClientRegistry clients, ConnectionState caller, ClientRegistry.Client c) {
    if (c.id() == caller.id) {
      caller.closeAfterReply = true;
    } else {
      clients.kill(c);
    }
  }
}
