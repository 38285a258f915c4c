package io.cairn.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that tests configure before starting them (a cluster whose nodes must know
 * each other's addresses up front).
 *
 * <p>Why not {@code new ServerSocket(0)}: that hands out a port of the kernel's ephemeral range
 * (32768-60999 by default), which outgoing connections use for their local ports too. Between the
 * moment a test picked a port and the moment its server binds it, a node started earlier can open
 * a connection whose local port is that one, and the server then "cannot listen" (CI:
 * {@code MetaNodeTest}, a store of {@code MetaModeCluster}). The kernel may also hand a closed
 * ephemeral port out again to the next caller. So the ports here come from below the ephemeral
 * range (20000-31999), at random, are checked by binding them, and are never handed out twice by
 * one JVM.
 */
public final class Ports {

    /** The first port handed out. */
    static final int LOW = 20_000;
    /** How many ports, from {@link #LOW}, may be handed out (all below 32768). */
    static final int RANGE = 12_000;

    /** Guarded by the class: {@link #reserve} is synchronized. */
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    /** A port free on 127.0.0.1 now, below the ephemeral range, not handed out before. */
    public static int freePort() {
        return freePortBlock(1);
    }

    /** The first of {@code n} consecutive ports free on 127.0.0.1 now (see {@link #freePort()}). */
    public static int freePortBlock(int n) {
        if (n < 1 || n > 1_000) {
            throw new IllegalArgumentException("n: " + n + " (expected: 1..1000)");
        }
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int base = LOW + ThreadLocalRandom.current().nextInt(RANGE - n + 1);
            if (reserve(base, n)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free ports in " + LOW + "-" + (LOW + RANGE - 1));
    }

    /** Takes {@code base..base+n-1} if none was handed out and each binds now; else takes none. */
    static synchronized boolean reserve(int base, int n) {
        for (int p = base; p < base + n; p++) {
            if (HANDED_OUT.contains(p) || !bindable(p)) {
                return false;
            }
        }
        for (int p = base; p < base + n; p++) {
            HANDED_OUT.add(p);
        }
        return true;
    }

    /** Whether this JVM handed {@code port} out (tests). */
    static synchronized boolean handedOut(int port) {
        return HANDED_OUT.contains(port);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
