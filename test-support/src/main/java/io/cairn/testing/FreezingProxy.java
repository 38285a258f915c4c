package io.cairn.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards TCP connections on 127.0.0.1 to a port, and can freeze the connections open so far:
 * they stay open and carry nothing more in either direction, as with a peer whose machine lost
 * power or network (nothing is closed, nothing answers). Later connections are forwarded as usual.
 * For tests of keep-alives and time-outs.
 */
public final class FreezingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    /** Starts forwarding connections to 127.0.0.1:{@code target}. */
    public FreezingProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "freezing-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port this proxy listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return links.size();
    }

    /** From now on the connections open so far carry nothing. */
    public void freezeOpenConnections() {
        for (Link l : links) {
            l.frozen = true;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                Link link = new Link(client, upstream);
                links.add(link);
                if (closed) { // close() may have gone through the links before this one
                    client.close();
                    upstream.close();
                    return;
                }
                pump(link, client, upstream);
                pump(link, upstream, client);
            } catch (IOException e) {
                // the target is down: refuse this connection as it would, keep accepting
                closeQuietly(client);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void pump(Link link, Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                while (true) {
                    while (link.frozen) { // a vanished peer: nothing read, nothing sent, nothing closed
                        if (from.isClosed()) {
                            return;
                        }
                        Thread.sleep(20);
                    }
                    int n = in.read(buf);
                    if (n < 0 || link.frozen) {
                        if (n < 0) {
                            to.shutdownOutput();
                            return;
                        }
                        continue; // read just as it froze: dropped, as the network would
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a side closed
            }
        }, "freezing-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Link l : links) {
            closeQuietly(l.client);
            closeQuietly(l.upstream);
        }
    }
}
