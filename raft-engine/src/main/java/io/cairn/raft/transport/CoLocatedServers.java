package io.cairn.raft.transport;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The gRPC servers of ours running in this JVM, by the address they listen on: when a client of
 * ours ({@link GrpcChannels}) targets one of them, its calls go through grpc-java's in-process
 * transport (messages passed by reference, no HTTP/2 framing, no sockets) instead of Netty over
 * loopback. {@code cairn dev} runs the meta replica, three stores and the gateway in one JVM, so
 * every hop between them is in-process; in a deployment with one role per process no target is
 * ever found here and nothing changes.
 *
 * <p><b>Which targets reach a server.</b> A server registered for {@code bindHost:port} serves a
 * target {@code host:port} with the same port when:
 * <ul>
 *   <li>{@code host} is {@code bindHost} (compared case-insensitively, IPv6 brackets ignored);</li>
 *   <li>{@code host} is a loopback name ({@code localhost}, {@code 127.0.0.1}, {@code ::1}, or
 *       {@code 0.0.0.0}, which Linux connects to the local host) and {@code bindHost} is a
 *       loopback name or a wildcard ({@code 0.0.0.0}, {@code ::});</li>
 *   <li>{@code bindHost} is a wildcard and {@code host} is an IP literal of a local network
 *       interface. Host names other than {@code localhost} are never resolved (no DNS lookups
 *       here): a target given as the machine's host name goes over Netty.</li>
 * </ul>
 * An exact host match wins over the other rules. Other loopback addresses ({@code 127.0.0.2})
 * only match exactly, since another process may listen on them with the same port.
 *
 * <p><b>The switch.</b> System property {@value #ENABLED_PROPERTY} ({@code true} by default);
 * {@code false} turns it off for servers started and channels opened afterwards: nothing is
 * registered, every channel is a plain Netty one.
 */
public final class CoLocatedServers {
    /** The system property that turns the in-process path off when {@code false}. */
    public static final String ENABLED_PROPERTY = "cairn.grpc.inprocess";

    private static final List<Registration> SERVERS = new CopyOnWriteArrayList<>();
    /** Bumped on every change, so channels re-resolve their target only after one. */
    private static final AtomicLong VERSION = new AtomicLong();
    private static final AtomicLong NAMES = new AtomicLong();
    private static final LongAdder IN_PROCESS_CALLS = new LongAdder();
    private static final LongAdder NETTY_CALLS = new LongAdder();
    private static final LongAdder DIRECT_CALLS = new LongAdder();

    private CoLocatedServers() {
    }

    /**
     * A server of ours listening on {@code bindHost:port} and reachable in-process by {@code name};
     * {@code direct}: its service instances that co-located clients may call as plain Java objects
     * ({@link #direct}), empty when its in-process calls do not run on the caller's thread.
     */
    public record Registration(String bindHost, int port, String name, List<Object> direct) {
        public Registration {
            direct = List.copyOf(direct);
        }
    }

    /** Whether servers started and channels opened now use the in-process path. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim());
    }

    /** A fresh in-process name for a server on {@code bindHost:port}, unique in this JVM. */
    static String newName(String bindHost, int port) {
        return "cairn-grpc/" + bindHost + ":" + port + "#" + NAMES.incrementAndGet();
    }

    static Registration register(String bindHost, int port, String name, List<Object> direct) {
        Registration r = new Registration(Objects.requireNonNull(bindHost, "bindHost"), port, name, direct);
        SERVERS.add(r);
        VERSION.incrementAndGet();
        return r;
    }

    static void unregister(Registration r) {
        if (SERVERS.remove(r)) {
            VERSION.incrementAndGet();
        }
    }

    /** Changes with every registration and removal. */
    static long version() {
        return VERSION.get();
    }

    /** The in-process name of the server of ours that {@code host:port} reaches, or null if none is in this JVM. */
    public static String nameOf(String host, int port) {
        Registration r = find(host, port);
        return r == null ? null : r.name();
    }

    private static Registration find(String host, int port) {
        String t = normalize(host);
        Registration reached = null;
        for (Registration r : SERVERS) {
            if (r.port() != port) {
                continue;
            }
            String b = normalize(r.bindHost());
            if (b.equals(t)) {
                return r;
            }
            if (reached == null && reaches(b, t)) {
                reached = r;
            }
        }
        return reached;
    }

    /**
     * The service of type {@code type} that the server of ours at {@code host:port} runs in this
     * JVM with calls on the caller's thread, to be called as a plain object — no gRPC call, no
     * deadline timer, no headers; or null (no such server here, or it runs its calls elsewhere).
     * The answer is looked up again only after a registration changed, so a lookup per call is
     * cheap; a call on a service whose server has just stopped meets the stopped service itself
     * (which answers as it does while stopping), as an in-process call already under way would.
     * For methods that never block, since they run on the caller's thread.
     */
    public static <T> Supplier<T> direct(String host, int port, Class<T> type) {
        Supplier<T> service = service(host, port, type);
        return () -> {
            T s = service.get();
            if (s != null) {
                DIRECT_CALLS.increment();
            }
            return s;
        };
    }

    /**
     * The lookup of {@link #direct}, not counted in {@link #directCalls}: for a caller that looks
     * the service up more often than it calls it (the Raft transport's {@code PeerLink} checks
     * per message and per drain, and counts its hand-offs in its own stats).
     */
    static <T> Supplier<T> service(String host, int port, Class<T> type) {
        return new Supplier<>() {
            private volatile Object[] cached; // {version, service or null}

            @Override
            public T get() {
                Object[] c = cached;
                long v = VERSION.get();
                if (c == null || (long) c[0] != v) {
                    Registration r = find(host, port);
                    Object found = null;
                    if (r != null) {
                        for (Object s : r.direct()) {
                            if (type.isInstance(s)) {
                                found = s;
                                break;
                            }
                        }
                    }
                    c = new Object[] {v, found};
                    cached = c;
                }
                return type.cast(c[1]);
            }
        };
    }

    /** Calls made on services found by {@link #direct} since the JVM started. */
    public static long directCalls() {
        return DIRECT_CALLS.sum();
    }

    /** The servers registered now; for tests and diagnostics. */
    public static List<Registration> registered() {
        return List.copyOf(SERVERS);
    }

    /** Calls started in-process by channels of {@link GrpcChannels} since the JVM started. */
    public static long inProcessCalls() {
        return IN_PROCESS_CALLS.sum();
    }

    /** Calls started over Netty by channels of {@link GrpcChannels} with the switch on. */
    public static long nettyCalls() {
        return NETTY_CALLS.sum();
    }

    static void countCall(boolean inProcess) {
        (inProcess ? IN_PROCESS_CALLS : NETTY_CALLS).increment();
    }

    private static boolean reaches(String bound, String target) {
        if (isWildcard(bound)) {
            return isLoopback(target) || isLocalLiteral(target);
        }
        return isLoopback(bound) && isLoopback(target);
    }

    private static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }

    private static boolean isWildcard(String h) {
        return h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
    }

    private static boolean isLoopback(String h) {
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.equals("0.0.0.0");
    }

    /** An IP literal (never a name: no DNS) assigned to an interface of this machine. */
    private static boolean isLocalLiteral(String h) {
        boolean literal = h.contains(":") || h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        if (!literal) {
            return false;
        }
        try {
            return NetworkInterface.getByInetAddress(InetAddress.getByName(h)) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }
}
