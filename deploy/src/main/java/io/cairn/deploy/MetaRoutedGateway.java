package io.cairn.deploy;

import io.cairn.gateway.GatewayConfig;
import io.cairn.gateway.GatewayServer;
import io.cairn.meta.client.MetaClient;
import io.cairn.meta.client.MetaClusterView;
import io.cairn.meta.map.ShardMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway routing by the meta service's map: a {@link MetaClient} of the given replicas, a
 * {@link MetaClusterView} following it, and the {@link GatewayServer} on that view. What
 * {@code cairn gateway} and {@code cairn dev} run.
 *
 * <p>Logs {@code gateway ready: ...} once the view holds a map with every slot assigned (the
 * meta service has bootstrapped), which deploy/local-cluster.sh waits for. {@link #close} stops
 * the server, then the view, then the client (the server does not close its view).
 */
public final class MetaRoutedGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaRoutedGateway.class);

    private final MetaClient client;
    private final MetaClusterView view;
    private final GatewayServer server;
    private final AtomicBoolean readyLogged = new AtomicBoolean();

    private MetaRoutedGateway(MetaClient client, MetaClusterView view, GatewayServer server) {
        this.client = client;
        this.view = view;
        this.server = server;
    }

    /** Connects to the meta service at {@code metaAddresses} and starts serving clients. */
    public static MetaRoutedGateway start(GatewayConfig config, List<String> metaAddresses) throws InterruptedException {
        MetaClient client = new MetaClient(metaAddresses);
        MetaClusterView view = null;
        try {
            view = MetaClusterView.start(client);
            MetaRoutedGateway g = new MetaRoutedGateway(client, view, GatewayServer.start(config, view));
            LOG.info("gateway listening on {}:{}, following the meta service at {}", config.host(), g.port(),
                    String.join(",", metaAddresses));
            view.addListener(g::logReadyOnce);
            g.logReadyOnce(view.map());
            return g;
        } catch (InterruptedException | RuntimeException e) {
            if (view != null) {
                view.close();
            }
            client.close();
            throw e;
        }
    }

    private void logReadyOnce(ShardMap map) {
        if (map.version() > 0 && !map.groups().isEmpty() && map.slotCount(ShardMap.UNASSIGNED) == 0
                && readyLogged.compareAndSet(false, true)) {
            LOG.info("gateway ready: port {}, map version {} ({} groups, {} stores)", port(), map.version(),
                    map.groups().size(), map.stores().size());
        }
    }

    /** The bound client port. */
    public int port() {
        return server.port();
    }

    public MetaClusterView view() {
        return view;
    }

    public GatewayServer server() {
        return server;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            view.close();
            client.close();
        }
    }
}
