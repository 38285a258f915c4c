package io.cairn.raft.transport;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of our servers as its node sees it: the Netty server on its address and the in-process
 * server of the same services, stopped together. The registration in {@link CoLocatedServers}
 * goes first on shutdown, so new calls of co-located clients take the Netty route (and find
 * nothing listening once that one is down too), as they would reaching a stopped process.
 */
final class CoLocatedServer extends Server {
    private final Server netty;
    private final Server inProcess;
    private final CoLocatedServers.Registration registration;

    CoLocatedServer(Server netty, Server inProcess, CoLocatedServers.Registration registration) {
        this.netty = netty;
        this.inProcess = inProcess;
        this.registration = registration;
    }

    String inProcessName() {
        return registration.name();
    }

    @Override
    public Server start() {
        throw new IllegalStateException("already started");
    }

    @Override
    public int getPort() {
        return netty.getPort();
    }

    @Override
    public List<? extends SocketAddress> getListenSockets() {
        return netty.getListenSockets();
    }

    @Override
    public List<ServerServiceDefinition> getServices() {
        return netty.getServices();
    }

    @Override
    public Server shutdown() {
        CoLocatedServers.unregister(registration);
        inProcess.shutdown();
        netty.shutdown();
        return this;
    }

    @Override
    public Server shutdownNow() {
        CoLocatedServers.unregister(registration);
        inProcess.shutdownNow();
        netty.shutdownNow();
        return this;
    }

    @Override
    public boolean isShutdown() {
        return netty.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return netty.isTerminated() && inProcess.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        return inProcess.awaitTermination(timeout, unit)
                && netty.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        inProcess.awaitTermination();
        netty.awaitTermination();
    }

    @Override
    public String toString() {
        return "CoLocatedServer{" + netty + ", " + registration.name() + "}";
    }
}
