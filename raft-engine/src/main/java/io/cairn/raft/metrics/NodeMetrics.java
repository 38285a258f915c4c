package io.cairn.raft.metrics;

import io.cairn.raft.runtime.RaftRuntime;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The Prometheus endpoint of a Raft node process (a store node or a meta replica): its
 * {@link RaftMetrics} (refreshed every second) and the JVM's memory, GC, thread, class loading,
 * CPU and uptime meters, served by a {@link MetricsEndpoint} at {@code http://host:port/metrics}.
 * The JVM meters are Micrometer's standard binders (Prometheus names such as
 * {@code jvm_memory_used_bytes}, {@code jvm_gc_pause_seconds}, {@code process_cpu_usage}).
 */
public final class NodeMetrics implements AutoCloseable {
    /** How old the Raft gauges may be. */
    public static final Duration REFRESH = Duration.ofSeconds(1);

    private final PrometheusMeterRegistry registry;
    private final RaftMetrics raft;
    private final JvmGcMetrics gc;
    private final MetricsEndpoint endpoint;

    private NodeMetrics(PrometheusMeterRegistry registry, RaftMetrics raft, JvmGcMetrics gc, MetricsEndpoint endpoint) {
        this.registry = registry;
        this.raft = raft;
        this.gc = gc;
        this.endpoint = endpoint;
    }

    /** Binds the meters of {@code runtime} and the JVM and serves them on {@code host:port} (0: a free port). */
    public static NodeMetrics start(RaftRuntime runtime, String host, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        RaftMetrics raft = RaftMetrics.bind(runtime, registry, REFRESH);
        try {
            return new NodeMetrics(registry, raft, gc, MetricsEndpoint.start(host, port, registry));
        } catch (RuntimeException e) {
            raft.close();
            gc.close();
            registry.close();
            throw e;
        }
    }

    /** The endpoint's bound port. */
    public int port() {
        return endpoint.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        endpoint.close();
        raft.close();
        gc.close();
        registry.close();
    }
}
