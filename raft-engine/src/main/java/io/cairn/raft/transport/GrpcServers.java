package io.cairn.raft.transport;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the service gRPC servers of Cairn's nodes (StoreService, MetaService). */
public final class GrpcServers {
    private GrpcServers() {
    }

    /**
     * Starts a server on {@code host:port} (port 0: any free port) with SO_REUSEADDR, so a node
     * restarted at once can bind its port again.
     */
    public static Server start(String host, int port, int maxInboundMessageBytes, BindableService... services) {
        return start(host, port, builder(host, port, maxInboundMessageBytes), services);
    }

    /**
     * The same for services whose methods never block (they only start asynchronous work): their
     * calls run on the Netty event loop ({@code directExecutor}), saving a hand-off to gRPC's
     * executor per call. A method that blocks would stall every call of that event loop.
     */
    public static Server startNonBlocking(String host, int port, int maxInboundMessageBytes,
                                          BindableService... services) {
        return start(host, port, builder(host, port, maxInboundMessageBytes).directExecutor(), services);
    }

    private static NettyServerBuilder builder(String host, int port, int maxInboundMessageBytes) {
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .maxInboundMessageSize(maxInboundMessageBytes);
    }

    private static Server start(String host, int port, NettyServerBuilder b, BindableService... services) {
        for (BindableService s : services) {
            b.addService(s);
        }
        try {
            return b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
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
