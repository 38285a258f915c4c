package io.cairn.gateway;

import io.cairn.gateway.resp.RespRequestDecoder;
import io.cairn.gateway.route.Router;
import io.cairn.meta.client.ClusterView;
import io.cairn.meta.client.GroupSize;
import io.cairn.meta.client.StaticClusterView;
import io.cairn.meta.map.ShardMap;
import io.cairn.raft.metrics.MetricsEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's RESP listener: a Netty server (native epoll when {@link Epoll#isAvailable()},
 * else NIO) whose pipeline per client is {@link RespRequestDecoder} then {@link ClientConnection}.
 *
 * <p>Data commands are routed by a {@link Router} over the {@link ClusterView} given to
 * {@link #start(GatewayConfig, ClusterView)}; the view stays the caller's (not closed here).
 *
 * <p>Lifecycle: {@link #start} binds (and returns once bound, so {@link #port()} is the real port
 * even for port 0); {@link #close} stops accepting, closes every client connection and waits for
 * the event loops to terminate. Not restartable.
 */
public final class GatewayServer implements AutoCloseable {

  private final GatewayConfig config;
  private final GatewayOps ops;
  private final GatewayCommands commands;
  private final Router router;
  /** The Prometheus endpoint, or null when {@code metrics.port} is 0. */
  private final MetricsEndpoint metricsEndpoint;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  /** Redis's client ids: 1, 2, 3, ... in connection order, never reused. */
  private final AtomicLong nextClientId = new AtomicLong(1);
  private final Channel serverChannel;
  private final boolean epoll;

  private GatewayServer(GatewayConfig config, ClusterView view) throws InterruptedException {
    this.config = config;
    this.ops = new GatewayOps(config);
    this.router = new Router(view, config.route());
    this.commands = new GatewayCommands(config.requirepass(), router, ops);
    ops.setKeyspace(() -> keyspace(view));
    this.epoll = Epoll.isAvailable();
    ops.setEpoll(epoll);
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
    this.workerGroup = new MultiThreadIoEventLoopGroup(0, io);
    Channel bound = null;
    try {
      ServerBootstrap b = new ServerBootstrap()
          .group(bossGroup, workerGroup)
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 511) // Redis's tcp-backlog default
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.SO_KEEPALIVE, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              clients.add(ch);
              ch.pipeline().addLast("resp-decoder", new RespRequestDecoder(config.limits()));
              ch.pipeline().addLast("client",
                  new ClientConnection(nextClientId.getAndIncrement(), commands, ops));
            }
          });
      bound = bind(b, config.host(), config.port());
      int boundPort = ((InetSocketAddress) bound.localAddress()).getPort();
      ops.setPort(() -> boundPort);
      // INFO's instantaneous_ops_per_sec, sampled like Redis every 100 ms.
      bossGroup.scheduleAtFixedRate(ops.metrics()::sampleOps, 100, 100, TimeUnit.MILLISECONDS);
      this.metricsEndpoint = config.metricsPort() == 0 ? null
          : MetricsEndpoint.start(config.host(), config.metricsPort(), ops.metrics().registry());
    } catch (Exception e) { // also the undeclared BindException of bind()
      if (bound != null) {
        bound.close().awaitUninterruptibly();
      }
      shutdownGroups();
      throw e;
    }
    this.serverChannel = bound;
  }

  /**
   * Binds the listening socket. A failure is thrown as a {@link BindException} (undeclared, as
   * Netty's own NIO transport throws it) whatever the transport: epoll reports it as a
   * {@code NativeIoException} ({@code bind(..) failed with error(-98): Address already in use}),
   * and the launcher recognises a BindException ("cannot listen").
   */
  private static Channel bind(ServerBootstrap b, String host, int port) throws InterruptedException {
    ChannelFuture f = b.bind(host, port).await();
    if (f.isSuccess()) {
      return f.channel();
    }
    Throwable cause = f.cause();
    if (cause instanceof IOException && !(cause instanceof BindException)) {
      BindException be = new BindException(cause.getMessage() + " (" + host + ":" + port + ")");
      be.initCause(cause);
      cause = be;
    }
    throw GatewayServer.<RuntimeException>undeclared(cause);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E undeclared(Throwable t) throws E {
    throw (E) t;
  }

  /**
   * INFO keyspace from the view's group sizes (measured by the group leaders, reported to the
   * meta service, pushed to this gateway: eventually consistent, no store is asked at INFO time),
   * summed over the groups of the current map; null when no group has a size yet.
   */
  static GatewayOps.Keyspace keyspace(ClusterView view) {
    Map<Long, GroupSize> sizes = view.groupSizes();
    if (sizes.isEmpty()) {
      return null;
    }
    long keys = 0;
    long expires = 0;
    for (long g : view.map().groupIds()) {
      GroupSize size = sizes.get(g);
      if (size != null) {
        keys += size.keys();
        expires += size.expires();
      }
    }
    return new GatewayOps.Keyspace(keys, expires);
  }

  /**
   * Binds and starts serving, routing data commands with the view's shard map; returns once the
   * port is bound.
   */
  public static GatewayServer start(GatewayConfig config, ClusterView view)
      throws InterruptedException {
    return new GatewayServer(config, view);
  }

  /**
   * A gateway with an empty shard map: connection commands work, data commands answer
   * {@code -CLUSTERDOWN Hash slot not served}.
   */
  public static GatewayServer start(GatewayConfig config) throws InterruptedException {
    return new GatewayServer(config, new StaticClusterView(ShardMap.empty()));
  }

  /** The router: its view and its batching counters. */
  public Router router() {
    return router;
  }

  /** The bound port (the real one when the config asked for port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public String host() {
    return config.host();
  }

  /** Clients, slow log, metrics and run-time settings; hooks for routing (key count, timing). */
  public GatewayOps ops() {
    return ops;
  }

  /** The port of the Prometheus endpoint, or 0 when it is off. */
  public int metricsPort() {
    return metricsEndpoint == null ? 0 : metricsEndpoint.port();
  }

  /** Whether the native epoll transport is in use (else NIO). */
  public boolean usesEpoll() {
    return epoll;
  }

  /** Stops accepting, closes every client connection, stops the event loops (waits up to 10 s). */
  @Override
  public void close() {
    serverChannel.close().awaitUninterruptibly();
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    clients.close().awaitUninterruptibly();
    shutdownGroups();
  }

  private void shutdownGroups() {
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    bossGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    workerGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    router.close();
  }

  /**
   * Runs a gateway by hand until killed: {@code GatewayServer --config FILE}, or
   * {@code GatewayServer [port [requirepass]]} on 127.0.0.1 (default port 6379). For trying it
   * with redis-cli; the {@code cairn gateway} launcher will replace it.
   */
  public static void main(String[] args) throws InterruptedException {
    GatewayConfig config;
    if (args.length == 2 && args[0].equals("--config")) {
      config = GatewayConfig.load(java.nio.file.Path.of(args[1]));
    } else {
      int port = args.length > 0 ? Integer.parseInt(args[0]) : GatewayConfig.DEFAULT_PORT;
      config = GatewayConfig.loopback(port).withRequirepass(args.length > 1 ? args[1] : null);
    }
    GatewayServer server = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("cairn gateway listening on " + config.host() + ":" + server.port()
        + (server.usesEpoll() ? " (epoll)" : " (nio)")
        + (server.metricsPort() == 0 ? "" : ", metrics on http://" + config.host() + ":"
            + server.metricsPort() + "/metrics"));
    Thread.currentThread().join();
  }
}
