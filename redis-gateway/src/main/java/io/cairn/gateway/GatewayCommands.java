package io.cairn.gateway;

import io.cairn.gateway.route.Router;
import io.cairn.store.types.Args;
import io.cairn.store.types.CommandSpec;
import io.cairn.store.types.CommandTable;
import io.cairn.store.types.Reply;
import io.cairn.store.resp.RespEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Executes what the gateway answers itself: the connection and server commands (PING, ECHO,
 * SELECT, HELLO, AUTH, CLIENT, QUIT, RESET, TIME, COMMAND) and the server commands over
 * {@link GatewayOps} (CLIENT LIST/INFO/KILL, INFO, CONFIG, SLOWLOG), with Redis 7.0's replies and
 * error texts, and the checks every command goes through in Redis's {@code processCommand} order:
 * unknown command, wrong arity (of the subcommand too), then authentication.
 *
 * <p>Data commands (those of {@link CommandTable#standard()}) pass the same checks and then
 * {@link #execute} returns null: the caller hands them to {@link #route}, which answers
 * asynchronously through the {@link Router}.
 *
 * <p>Stateless and thread-safe; the per-connection state is the {@link ConnectionState} passed in.
 */
final class GatewayCommands {

  /** The Redis version whose behaviour the gateway follows; HELLO reports it. */
  static final String REDIS_VERSION = "7.0.15";

  static final Reply NOAUTH = new Reply.Err("NOAUTH Authentication required.");
  static final Reply WRONGPASS =
      new Reply.Err("WRONGPASS invalid username-password pair or user is disabled.");
  static final Reply SYNTAX_ERROR = new Reply.Err("ERR syntax error");
  static final Reply NOT_AN_INTEGER = new Reply.Err("ERR value is not an integer or out of range");
  static final Reply PONG = new Reply.Status("PONG");
  static final Reply RESET = new Reply.Status("RESET");

  private static final String DEFAULT_USER = "default";

  @FunctionalInterface
  private interface Handler {
    Reply run(ConnectionState conn, byte[][] argv);
  }

  /** A subcommand of a container command (CLIENT SETNAME, COMMAND INFO). */
  private record Subcommand(String name, int arity, Handler handler) {
  }

  /**
   * A gateway command. {@code noAuth}: allowed before authentication (Redis's {@code no_auth}
   * flag). {@code subcommands}: non-null for containers; a container with only its name runs
   * {@code handler} (COMMAND), or is an arity error when the arity says so (CLIENT).
   */
  private record Own(GatewayCommandInfo info, boolean noAuth, Handler handler,
      Map<String, Subcommand> subcommands) {
  }

  private final byte[] requirepass;
  private final Router router;
  private final CommandTable data = CommandTable.standard();
  private final Map<String, Own> own = new LinkedHashMap<>();
  private final Map<String, GatewayCommandInfo> catalog;

  /**
   * @param requirepass the default user's password; null: no password
   * @param router where data commands go
   * @param ops the server's clients, slow log, metrics and run-time settings (CLIENT LIST/KILL,
   *     INFO, CONFIG, SLOWLOG)
   */
  GatewayCommands(String requirepass, Router router, GatewayOps ops) {
    this.requirepass = requirepass == null ? null : requirepass.getBytes(StandardCharsets.UTF_8);
    this.router = router;
    // Arity and flags as redis-server 7.0's COMMAND INFO reports them.
    add("ping", -1, List.of("fast"), false, this::ping, null);
    add("echo", 2, List.of("fast"), false, this::echo, null);
    add("select", 2, List.of("loading", "stale", "fast"), false, this::select, null);
    add("hello", -1, List.of("noscript", "loading", "stale", "fast", "no_auth", "allow_busy"), true,
        this::hello, null);
    add("auth", -2, List.of("noscript", "loading", "stale", "fast", "no_auth", "allow_busy"), true,
        this::auth, null);
    add("quit", -1, List.of("allow_busy", "noscript", "loading", "stale", "fast", "no_auth"), true,
        this::quit, null);
    add("reset", 1, List.of("noscript", "loading", "stale", "fast", "no_auth", "allow_busy"), true,
        this::reset, null);
    add("time", 1, List.of("loading", "stale", "fast"), false, this::time, null);
    add("readonly", 1, List.of("loading", "stale", "fast"), false, this::readonly, null);
    add("readwrite", 1, List.of("loading", "stale", "fast"), false, this::readwrite, null);
    add("wait", 3, List.of("noscript"), false, this::waitReplicas, null);
    Map<String, Subcommand> client = new LinkedHashMap<>();
    sub(client, "setname", 3, this::clientSetname);
    sub(client, "getname", 2, (c, a) -> c.name == null ? Reply.NIL : bulk(c.name));
    sub(client, "id", 2, (c, a) -> new Reply.Int(c.id));
    sub(client, "setinfo", 4, this::clientSetinfo);
    ClientCommands clients = new ClientCommands(ops);
    sub(client, "list", -2, clients::list);
    sub(client, "info", 2, clients::info);
    sub(client, "kill", -3, clients::kill);
    add("client", -2, List.of(), false, null, client);
    add("info", -1, List.of("loading", "stale"), false, new InfoCommand(ops)::info, null);
    ConfigCommand config = new ConfigCommand(ops);
    Map<String, Subcommand> configSubs = new LinkedHashMap<>();
    sub(configSubs, "get", -3, config::get);
    sub(configSubs, "set", -4, config::set);
    sub(configSubs, "resetstat", 2, config::resetstat);
    add("config", -2, List.of(), false, null, configSubs);
    SlowLogCommand slowlog = new SlowLogCommand(ops.slowLog());
    Map<String, Subcommand> slowlogSubs = new LinkedHashMap<>();
    sub(slowlogSubs, "get", -2, slowlog::get);
    sub(slowlogSubs, "len", 2, slowlog::len);
    sub(slowlogSubs, "reset", 2, slowlog::reset);
    sub(slowlogSubs, "help", 2, slowlog::help);
    add("slowlog", -2, List.of(), false, null, slowlogSubs);
    Map<String, Subcommand> command = new LinkedHashMap<>();
    sub(command, "count", 2, (c, a) -> new Reply.Int(catalog().size()));
    sub(command, "info", -2, this::commandInfo);
    // redis-cli asks for COMMAND DOCS when its prompt starts; no docs yet: an empty map.
    sub(command, "docs", -2, (c, a) -> new Reply.MapReply(List.of()));
    add("command", -1, List.of("loading", "stale"), false, this::commandAll, command);
    List<GatewayCommandInfo> infos = new ArrayList<>();
    for (Own o : own.values()) {
      infos.add(o.info());
    }
    this.catalog = GatewayCommandInfo.catalog(data, infos);
    ops.metrics().setKnownCommands(catalog.keySet());
  }

  private void add(String name, int arity, List<String> flags, boolean noAuth, Handler handler,
      Map<String, Subcommand> subcommands) {
    own.put(name, new Own(new GatewayCommandInfo(name, arity, flags, 0, 0, 0), noAuth, handler,
        subcommands));
  }

  private static void sub(Map<String, Subcommand> into, String name, int arity, Handler handler) {
    into.put(name, new Subcommand(name, arity, handler));
  }

  Map<String, GatewayCommandInfo> catalog() {
    return catalog;
  }

  /** A new connection's state: authenticated unless a password is set. */
  ConnectionState newConnection(long id) {
    return new ConnectionState(id, requirepass == null);
  }

  /**
   * Runs one request; errors are {@link Reply.Err} with Redis's texts, never exceptions. Null: a
   * data command that passed every check; the caller sends it to {@link #route}.
   */
  Reply execute(ConnectionState conn, byte[][] argv) {
    String name = lower(argv[0]);
    Own cmd = own.get(name);
    if (cmd != null) {
      if (!arityOk(cmd.info().arity(), argv.length)) {
        return wrongArity(name);
      }
      Handler handler = cmd.handler();
      if (cmd.subcommands() != null && argv.length >= 2) {
        Subcommand sub = cmd.subcommands().get(lower(argv[1]));
        if (sub == null) {
          return new Reply.Err("ERR unknown subcommand '" + truncate(Args.str(argv[1]))
              + "'. Try " + name.toUpperCase(Locale.ROOT) + " HELP.");
        }
        conn.lastCommand = name + "|" + sub.name();
        if (!arityOk(sub.arity(), argv.length)) {
          return wrongArity(name + "|" + sub.name());
        }
        handler = sub.handler();
      } else {
        conn.lastCommand = name;
      }
      if (!conn.authenticated && !cmd.noAuth()) {
        return NOAUTH;
      }
      return handler.run(conn, argv);
    }
    CommandSpec spec = data.lookup(argv[0]);
    if (spec == null) {
      return CommandTable.unknownCommand(argv);
    }
    conn.lastCommand = spec.name().toLowerCase(Locale.ROOT);
    if (!spec.arityOk(argv.length)) {
      return wrongArity(conn.lastCommand);
    }
    if (!conn.authenticated) {
      return NOAUTH;
    }
    return null;
  }

  /**
   * Routes a data command {@link #execute} returned null for: completes (on any thread) with the
   * reply's RESP bytes in the connection's protocol. Call on the connection's thread, in request
   * order.
   */
  CompletableFuture<byte[]> route(ConnectionState conn, byte[][] argv) {
    if (argv.length == 3 && Args.nameIs(argv[0], "wait")) {
      return router.waitFor(conn.route, argv, conn.protocol);
    }
    return router.route(conn.route, data.lookup(argv[0]), argv, conn.protocol);
  }

  // --- connection commands ---

  private Reply ping(ConnectionState c, byte[][] argv) {
    if (argv.length > 2) {
      return wrongArity("ping");
    }
    return argv.length == 1 ? PONG : new Reply.Bulk(argv[1]);
  }

  private Reply echo(ConnectionState c, byte[][] argv) {
    return new Reply.Bulk(argv[1]);
  }

  /** One database only: SELECT 0 is OK, any other number is out of range. */
  private Reply select(ConnectionState c, byte[][] argv) {
    if (!Args.isStrictLong(argv[1])) {
      return NOT_AN_INTEGER;
    }
    return Args.parseLong(argv[1]) == 0 ? Reply.OK : new Reply.Err("ERR DB index is out of range");
  }

  /** Redis 7.0 {@code helloCommand}: HELLO [protover [AUTH username password] [SETNAME name]]. */
  private Reply hello(ConnectionState c, byte[][] argv) {
    int next = 1;
    int version = 0;
    if (argv.length >= 2) {
      next++;
      if (!Args.isStrictLong(argv[1])) {
        return new Reply.Err("ERR Protocol version is not an integer or out of range");
      }
      long v = Args.parseLong(argv[1]);
      if (v < 2 || v > 3) {
        return new Reply.Err("NOPROTO unsupported protocol version");
      }
      version = (int) v;
    }
    byte[] username = null;
    byte[] password = null;
    String clientName = null;
    for (int j = next; j < argv.length; j++) {
      int moreArgs = argv.length - 1 - j;
      String opt = Args.str(argv[j]);
      if (opt.equalsIgnoreCase("AUTH") && moreArgs >= 2) {
        username = argv[j + 1];
        password = argv[j + 2];
        j += 2;
      } else if (opt.equalsIgnoreCase("SETNAME") && moreArgs >= 1) {
        clientName = Args.str(argv[j + 1]);
        if (!validName(clientName)) {
          return new Reply.Err(
              "ERR Client names cannot contain spaces, newlines or special characters.");
        }
        j++;
      } else {
        return new Reply.Err("ERR Syntax error in HELLO option '" + opt + "'");
      }
    }
    if (username != null) {
      if (!authenticate(username, password)) {
        return WRONGPASS;
      }
      c.authenticated = true;
    }
    if (!c.authenticated) {
      return new Reply.Err("NOAUTH HELLO must be called with the client already authenticated, "
          + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client "
          + "and select the RESP protocol version at the same time");
    }
    if (clientName != null) {
      c.name = clientName.isEmpty() ? null : clientName;
    }
    if (version != 0) {
      c.protocol = version;
    }
    return new Reply.MapReply(List.of(
        bulk("server"), bulk("redis"),
        bulk("version"), bulk(REDIS_VERSION),
        bulk("proto"), new Reply.Int(c.protocol),
        bulk("id"), new Reply.Int(c.id),
        bulk("mode"), bulk("standalone"),
        bulk("role"), bulk("master"),
        bulk("modules"), Reply.EMPTY_ARRAY));
  }

  /** Redis 7.0 {@code authCommand}: AUTH password | AUTH username password. */
  private Reply auth(ConnectionState c, byte[][] argv) {
    if (argv.length > 3) {
      return SYNTAX_ERROR;
    }
    byte[] username;
    byte[] password;
    if (argv.length == 2) {
      if (requirepass == null) {
        return new Reply.Err("ERR AUTH <password> called without any password configured for the "
            + "default user. Are you sure your configuration is correct?");
      }
      username = DEFAULT_USER.getBytes(StandardCharsets.UTF_8);
      password = argv[1];
    } else {
      username = argv[1];
      password = argv[2];
    }
    if (!authenticate(username, password)) {
      return WRONGPASS;
    }
    c.authenticated = true;
    return Reply.OK;
  }

  /**
   * The only user is {@code default}; with no requirepass it accepts any password (Redis's
   * {@code nopass}). Constant-time comparison of the password.
   */
  private boolean authenticate(byte[] username, byte[] password) {
    if (!DEFAULT_USER.equals(Args.str(username))) {
      return false;
    }
    return requirepass == null || MessageDigest.isEqual(requirepass, password);
  }

  private Reply quit(ConnectionState c, byte[][] argv) {
    c.closeAfterReply = true;
    return Reply.OK;
  }

  /**
   * Back to a new connection's state: RESP2, no name, READWRITE, authenticated only without a
   * password.
   */
  private Reply reset(ConnectionState c, byte[][] argv) {
    c.protocol = RespEncoder.RESP2;
    c.route.setReadonly(false);
    c.name = null;
    c.authenticated = requirepass == null;
    return RESET;
  }

  /** Seconds and microseconds of the wall clock, as two bulk strings. */
  private Reply time(ConnectionState c, byte[][] argv) {
    Instant now = Instant.now();
    return new Reply.Arr(List.of(
        bulk(Long.toString(now.getEpochSecond())),
        bulk(Long.toString(now.getNano() / 1000))));
  }

  /** READONLY: this connection's reads may be served, possibly stale, by any replica. */
  private Reply readonly(ConnectionState c, byte[][] argv) {
    c.route.setReadonly(true);
    return Reply.OK;
  }

  private Reply readwrite(ConnectionState c, byte[][] argv) {
    c.route.setReadonly(false);
    return Reply.OK;
  }

  /**
   * WAIT numreplicas timeout: checks the arguments as Redis does; then 0 for a connection that
   * wrote nothing, else null: {@link #route} sends it to the group of the connection's last
   * write, whose leader counts the other voters holding its log (docs/gateway.md).
   */
  private Reply waitReplicas(ConnectionState c, byte[][] argv) {
    // Redis checks the timeout first.
    if (!Args.isStrictLong(argv[2])) {
      return new Reply.Err("ERR timeout is not an integer or out of range");
    }
    if (Args.parseLong(argv[2]) < 0) {
      return new Reply.Err("ERR timeout is negative");
    }
    if (!Args.isStrictLong(argv[1])) {
      return NOT_AN_INTEGER;
    }
    return c.route.lastWriteGroup() == 0 ? new Reply.Int(0) : null;
  }

  private Reply clientSetname(ConnectionState c, byte[][] argv) {
    String name = Args.str(argv[2]);
    if (!validName(name)) {
      return new Reply.Err(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    c.name = name.isEmpty() ? null : name;
    return Reply.OK;
  }

  /** Redis 7.2's CLIENT SETINFO LIB-NAME|LIB-VER value (7.0 does not have it; clients send it). */
  private Reply clientSetinfo(ConnectionState c, byte[][] argv) {
    String attr = Args.str(argv[2]);
    String value = Args.str(argv[3]);
    boolean libName = attr.equalsIgnoreCase("lib-name");
    if (!libName && !attr.equalsIgnoreCase("lib-ver")) {
      return new Reply.Err("ERR Unrecognized option '" + attr + "'");
    }
    if (!validName(value)) {
      return new Reply.Err(
          "ERR " + attr + " cannot contain spaces, newlines or special characters.");
    }
    String v = value.isEmpty() ? null : value;
    if (libName) {
      c.libName = v;
    } else {
      c.libVersion = v;
    }
    return Reply.OK;
  }

  private Reply commandAll(ConnectionState c, byte[][] argv) {
    List<Reply> all = new ArrayList<>(catalog.size());
    for (GatewayCommandInfo info : catalog.values()) {
      all.add(info.toReply());
    }
    return new Reply.Arr(all);
  }

  /** One entry per name asked for, nil for an unknown name; no names: every command (7.0). */
  private Reply commandInfo(ConnectionState c, byte[][] argv) {
    if (argv.length == 2) {
      return commandAll(c, argv);
    }
    List<Reply> out = new ArrayList<>(argv.length - 2);
    for (int i = 2; i < argv.length; i++) {
      GatewayCommandInfo info = catalog.get(lower(argv[i]));
      out.add(info == null ? Reply.NIL : info.toReply());
    }
    return new Reply.Arr(out);
  }

  // --- helpers ---

  /** Redis's {@code validateClientName}: printable ASCII without spaces ('!'..'~'). */
  private static boolean validName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < '!' || ch > '~') {
        return false;
      }
    }
    return true;
  }

  private static boolean arityOk(int arity, int argc) {
    return arity >= 0 ? argc == arity : argc >= -arity;
  }

  static Reply wrongArity(String fullName) {
    return new Reply.Err("ERR wrong number of arguments for '" + fullName + "' command");
  }

  private static String lower(byte[] b) {
    return Args.str(b).toLowerCase(Locale.ROOT);
  }

  /** Redis prints at most 128 characters of a client-supplied name in an error ({@code %.128s}). */
  private static String truncate(String s) {
    return s.length() <= 128 ? s : s.substring(0, 128);
  }

  private static Reply bulk(String s) {
    return new Reply.Bulk(s.getBytes(StandardCharsets.UTF_8));
  }
}
