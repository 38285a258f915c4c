package io.cairn.raft.transport;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Starting and stopping the gRPC servers of Cairn's nodes (StoreService, MetaService, the Raft
 * transport). Each listens with Netty on {@code host:port} and, unless
 * {@code -Dcairn.grpc.inprocess=false}, is also served in-process under a name registered in
 * {@link CoLocatedServers} for its address, so clients of ours in the same JVM
 * ({@link GrpcChannels}) skip HTTP/2 and sockets. Both serve the same service instances with
 * the same inbound message limit; stopping the returned {@link Server} stops both and removes
 * the registration.
 */
public final class GrpcServers {
    private static final AtomicInteger BLOCKING_THREADS = new AtomicInteger();
    /** Runs in-process calls of methods that may block, for servers whose other calls run direct. */
    private static final ExecutorService BLOCKING_CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cairn-grpc-inprocess-blocking-" + BLOCKING_THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private GrpcServers() {
    }

    /**
     * Starts a server on {@code host:port} (port 0: any free port) with SO_REUSEADDR, so a node
     * restarted at once can bind its port again. Calls run on gRPC's shared executor (they may
     * block), over Netty and in-process alike.
     */
    public static Server start(String host, int port, int maxInboundMessageBytes, BindableService... services) {
        return start(host, port, maxInboundMessageBytes, null, services);
    }

    /** {@link #start} with extra settings of the Netty server (may be null). */
    public static Server start(String host, int port, int maxInboundMessageBytes,
                               Consumer<NettyServerBuilder> nettyOptions, BindableService... services) {
        return start(host, port, maxInboundMessageBytes, false, false, Set.of(), nettyOptions, services);
    }

    /**
     * The same for services whose methods never block (they only start asynchronous work): their
     * calls run on the Netty event loop ({@code directExecutor}), saving a hand-off to gRPC's
     * executor per call. A method that blocks would stall every call of that event loop. In-process,
     * a call runs on the caller's thread.
     */
    public static Server startNonBlocking(String host, int port, int maxInboundMessageBytes,
                                          BindableService... services) {
        return startNonBlocking(host, port, maxInboundMessageBytes, null, services);
    }

    /** {@link #startNonBlocking} with extra settings of the Netty server (may be null). */
    public static Server startNonBlocking(String host, int port, int maxInboundMessageBytes,
                                          Consumer<NettyServerBuilder> nettyOptions,
                                          BindableService... services) {
        return start(host, port, maxInboundMessageBytes, true, true, Set.of(), nettyOptions, services);
    }

    /**
     * The general form.
     *
     * @param nettyDirect      Netty calls run on the event loop (else on gRPC's shared executor)
     * @param inProcessDirect  in-process calls run on the caller's thread (else on gRPC's shared
     *                         executor), except those of {@code blockingMethods}
     * @param blockingMethods  full method names ({@code service/Method}) whose in-process calls run
     *                         on a pool of their own even when {@code inProcessDirect}
     * @param nettyOptions     extra settings of the Netty server (may be null)
     */
    static Server start(String host, int port, int maxInboundMessageBytes, boolean nettyDirect,
                        boolean inProcessDirect, Set<String> blockingMethods,
                        Consumer<NettyServerBuilder> nettyOptions, BindableService... services) {
        NettyServerBuilder nb = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .maxInboundMessageSize(maxInboundMessageBytes);
        if (nettyDirect) {
            nb.directExecutor();
        }
        if (nettyOptions != null) {
            nettyOptions.accept(nb);
        }
        for (BindableService s : services) {
            nb.addService(s);
        }
        Server netty;
        try {
            netty = nb.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
        if (!CoLocatedServers.enabled()) {
            return netty;
        }
        String name = CoLocatedServers.newName(host, netty.getPort());
        InProcessServerBuilder ib = InProcessServerBuilder.forName(name)
                .intercept(MessageSizeLimit.server(maxInboundMessageBytes));
        if (inProcessDirect) {
            ib.directExecutor();
            if (!blockingMethods.isEmpty()) {
                ib.callExecutor(blockingOnly(blockingMethods));
            }
        }
        for (BindableService s : services) {
            ib.addService(s);
        }
        Server inProcess;
        try {
            inProcess = ib.build().start();
        } catch (IOException | RuntimeException e) {
            netty.shutdownNow();
            throw new IllegalStateException("cannot serve " + host + ":" + port + " in-process as " + name, e);
        }
        // Services whose in-process calls run on the caller's thread may also be called as objects.
        List<Object> direct = inProcessDirect ? List.of((Object[]) services) : List.of();
        return new CoLocatedServer(netty, inProcess, CoLocatedServers.register(host, netty.getPort(), name, direct));
    }

    private static ServerCallExecutorSupplier blockingOnly(Set<String> methods) {
        Set<String> names = Set.copyOf(methods);
        return new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> java.util.concurrent.Executor getExecutor(io.grpc.ServerCall<Q, R> call,
                                                                    io.grpc.Metadata metadata) {
                return names.contains(call.getMethodDescriptor().getFullMethodName()) ? BLOCKING_CALLS : null;
            }
        };
    }

    /** Stops accepting calls, lets calls in flight finish for up to {@code grace}, then cancels them. */
    public static void stop(Server server, Duration grace) {
        if (server == null) {
            return;
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
