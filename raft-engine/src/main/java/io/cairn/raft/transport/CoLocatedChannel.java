package io.cairn.raft.transport;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A channel to {@code host:port} that decides per call: in-process when a server of ours serves
 * that address in this JVM ({@link CoLocatedServers}), else Netty. Deciding per call rather than
 * once matters in {@code cairn dev}: a store sets its Raft peers before the other stores listen,
 * and a store restarted in the same JVM registers under a new name; a stream opened after that
 * (every reconnect opens one) takes the new route. A call keeps the route it started on.
 *
 * <p>Both underlying channels are created on first use. {@link #shutdown} and the other lifecycle
 * methods apply to every channel this one created; a route given up for another (the server went
 * away or was replaced) is shut down gracefully, its calls finish.
 */
final class CoLocatedChannel extends ManagedChannel {
    private final String host;
    private final int port;
    private final Supplier<ManagedChannel> netty;
    private final Function<String, ManagedChannel> inProcess;

    private final Object lock = new Object();
    private volatile Route route; // the route for the registry version it was computed at
    // Guarded by lock.
    private ManagedChannel nettyChannel;
    private final List<ManagedChannel> created = new ArrayList<>();
    private boolean shutdown;

    /** The channel calls take while the registry is at {@code version}. */
    private record Route(long version, String name, ManagedChannel channel) {
    }

    CoLocatedChannel(String host, int port, Supplier<ManagedChannel> netty,
                     Function<String, ManagedChannel> inProcess) {
        this.host = host;
        this.port = port;
        this.netty = netty;
        this.inProcess = inProcess;
    }

    /** Whether a call started now would go in-process. */
    boolean inProcessNow() {
        return route().name() != null;
    }

    private Route route() {
        Route r = route;
        long v = CoLocatedServers.version();
        if (r != null && r.version() == v) {
            return r;
        }
        synchronized (lock) {
            r = route;
            v = CoLocatedServers.version();
            if (r != null && r.version() == v) {
                return r;
            }
            String name = CoLocatedServers.nameOf(host, port);
            ManagedChannel ch;
            if (r != null && java.util.Objects.equals(r.name(), name)) {
                ch = r.channel();
            } else if (name == null) {
                if (nettyChannel == null) {
                    nettyChannel = add(netty.get());
                }
                ch = nettyChannel;
            } else {
                ch = add(inProcess.apply(name));
            }
            if (r != null && r.channel() != ch && r.channel() != nettyChannel) {
                r.channel().shutdown(); // a replaced in-process route: its calls finish
            }
            r = new Route(v, name, ch);
            route = r;
            return r;
        }
    }

    private ManagedChannel add(ManagedChannel ch) {
        created.add(ch);
        if (shutdown) {
            ch.shutdown();
        }
        return ch;
    }

    private List<ManagedChannel> all() {
        synchronized (lock) {
            return new ArrayList<>(created);
        }
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        Route r = route();
        CoLocatedServers.countCall(r.name() != null);
        return r.channel().newCall(method, options);
    }

    @Override
    public String authority() {
        return host + ":" + port;
    }

    @Override
    public ManagedChannel shutdown() {
        synchronized (lock) {
            shutdown = true;
        }
        all().forEach(ManagedChannel::shutdown);
        return this;
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        return isShutdown() && all().stream().allMatch(ManagedChannel::isTerminated);
    }

    @Override
    public ManagedChannel shutdownNow() {
        synchronized (lock) {
            shutdown = true;
        }
        all().forEach(ManagedChannel::shutdownNow);
        return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (ManagedChannel ch : all()) {
            if (!ch.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
        return route().channel().getState(requestConnection);
    }

    @Override
    public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
        route().channel().notifyWhenStateChanged(source, callback);
    }

    @Override
    public void resetConnectBackoff() {
        all().forEach(ManagedChannel::resetConnectBackoff);
    }

    @Override
    public void enterIdle() {
        all().forEach(ManagedChannel::enterIdle);
    }

    @Override
    public String toString() {
        Route r = route;
        return "CoLocatedChannel{" + host + ":" + port + (r == null ? "" : r.name() == null ? ", netty" : ", " + r.name())
                + "}";
    }
}
