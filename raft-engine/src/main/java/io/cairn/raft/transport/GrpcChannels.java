package io.cairn.raft.transport;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Opens the gRPC channels of Cairn's clients (gateway → StoreService, Raft transport peers,
 * MetaService clients): plaintext, to {@code host:port}, and in-process whenever the server at
 * that address runs in this JVM ({@link CoLocatedServers}; on by default, off with
 * {@code -Dcairn.grpc.inprocess=false}). With the switch off the channel is today's Netty
 * channel and nothing else.
 *
 * <p><b>Executors.</b> {@code directExecutor}: the caller's callbacks (responses, onReady) run on
 * the thread that produced them — over Netty a Netty event loop, in-process the server's own
 * thread that answered (for a store, a Raft worker or a read thread). Only for callbacks that
 * never block and never call back into the server while holding a lock the server may need.
 * Otherwise callbacks run on gRPC's shared executor, as over Netty.
 *
 * <p><b>Limits.</b> The inbound message limit holds on both paths ({@link MessageSizeLimit}).
 * Options that only mean something for sockets (keep-alive) are given to the Netty builder
 * through {@code nettyOptions} only.
 */
public final class GrpcChannels {
    /**
     * Pings after 10 s without reads while calls are out, dead after 5 s unanswered: what Cairn's
     * clients of a store or meta server use unless configured (their servers permit pings every
     * 5 s). 10 s is the least gRPC allows.
     */
    public static final Consumer<NettyChannelBuilder> KEEPALIVE = keepAlive(10_000, 5_000);

    private GrpcChannels() {
    }

    /**
     * Netty options that ping the server after {@code timeMillis} without reads while calls are
     * out (gRPC raises less than 10 s to 10 s), and fail the connection and its calls when a ping
     * goes unanswered for {@code timeoutMillis}: a server whose machine vanished without closing
     * the connection (power off, a cut network) is noticed instead of waited on until the calls'
     * deadlines. A server that is only slow answers pings. The server must permit pings that often
     * ({@code permitKeepAliveTime}), or it answers them with GOAWAY.
     */
    public static Consumer<NettyChannelBuilder> keepAlive(long timeMillis, long timeoutMillis) {
        return nb -> nb.keepAliveTime(timeMillis, TimeUnit.MILLISECONDS)
                .keepAliveTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A channel to {@code host:port}.
     *
     * @param maxInboundMessageBytes largest response message accepted
     * @param directExecutor         run the callbacks on the producing thread (see the class comment)
     * @param nettyOptions           extra settings of the Netty channel (may be null)
     */
    public static ManagedChannel open(String host, int port, int maxInboundMessageBytes, boolean directExecutor,
                                      Consumer<NettyChannelBuilder> nettyOptions) {
        if (!CoLocatedServers.enabled()) {
            return netty(host, port, maxInboundMessageBytes, directExecutor, nettyOptions);
        }
        return new CoLocatedChannel(host, port,
                () -> netty(host, port, maxInboundMessageBytes, directExecutor, nettyOptions),
                name -> inProcess(name, maxInboundMessageBytes, directExecutor));
    }

    /** The same for a {@code host:port} string (IPv6 hosts in brackets: {@code [::1]:7000}). */
    public static ManagedChannel open(String address, int maxInboundMessageBytes, boolean directExecutor,
                                      Consumer<NettyChannelBuilder> nettyOptions) {
        var a = GrpcRaftTransport.parseAddress(address);
        return open(a.getHostString(), a.getPort(), maxInboundMessageBytes, directExecutor, nettyOptions);
    }

    /** Whether a call started now on {@code channel} would go in-process; for tests. */
    public static boolean isInProcessNow(ManagedChannel channel) {
        return channel instanceof CoLocatedChannel c && c.inProcessNow();
    }

    private static ManagedChannel netty(String host, int port, int maxInboundMessageBytes, boolean directExecutor,
                                        Consumer<NettyChannelBuilder> nettyOptions) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .maxInboundMessageSize(maxInboundMessageBytes);
        if (directExecutor) {
            b.directExecutor();
        }
        if (nettyOptions != null) {
            nettyOptions.accept(b);
        }
        return b.build();
    }

    private static ManagedChannel inProcess(String name, int maxInboundMessageBytes, boolean directExecutor) {
        InProcessChannelBuilder b = InProcessChannelBuilder.forName(name)
                .intercept(MessageSizeLimit.client(maxInboundMessageBytes));
        if (directExecutor) {
            b.directExecutor();
        }
        return b.build();
    }
}
