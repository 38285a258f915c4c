package io.cairn.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.cairn.raft.transport.proto.FileChunk;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The registry of co-located servers and the channels of {@link GrpcChannels}: in-process when
 * the server runs in this JVM, Netty otherwise, and Netty only with the switch off. A tiny echo
 * service answers with as many bytes as the request's {@code offset} asks.
 */
@DisplayName("Co-located servers: in-process when in this JVM, Netty otherwise")
class CoLocatedServersTest {
    private static final MethodDescriptor<FileChunk, FileChunk> ECHO = MethodDescriptor.<FileChunk, FileChunk>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("cairn.test.Echo/Echo")
            .setRequestMarshaller(ProtoUtils.marshaller(FileChunk.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(FileChunk.getDefaultInstance()))
            .build();

    private static final BindableService ECHO_SERVICE = () -> ServerServiceDefinition.builder("cairn.test.Echo")
            .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, out) -> {
                out.onNext(FileChunk.newBuilder().setPath(req.getPath())
                        .setData(ByteString.copyFrom(new byte[(int) req.getOffset()])).build());
                out.onCompleted();
            }))
            .build();

    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        servers.forEach(s -> GrpcServers.stop(s, Duration.ofSeconds(1)));
        System.clearProperty(CoLocatedServers.ENABLED_PROPERTY);
    }

    private Server serve(String host, int port, int maxInbound) {
        Server s = GrpcServers.startNonBlocking(host, port, maxInbound, ECHO_SERVICE);
        servers.add(s);
        return s;
    }

    private ManagedChannel open(String host, int port, int maxInbound) {
        ManagedChannel c = GrpcChannels.open(host, port, maxInbound, true, null);
        channels.add(c);
        return c;
    }

    private static FileChunk echo(ManagedChannel c, String text, int replyBytes) {
        return ClientCalls.blockingUnaryCall(c, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                FileChunk.newBuilder().setPath(text).setOffset(replyBytes).build());
    }

    @Test
    @DisplayName("a server registers its address while it runs; loopback names reach it, other addresses do not")
    void registryFollowsTheServer() {
        Server s = serve("127.0.0.1", 0, 1 << 20);
        int port = s.getPort();
        assertThat(CoLocatedServers.nameOf("127.0.0.1", port)).isNotNull();
        assertThat(CoLocatedServers.nameOf("localhost", port)).isEqualTo(CoLocatedServers.nameOf("127.0.0.1", port));
        assertThat(CoLocatedServers.nameOf("[::1]", port)).isNotNull();
        assertThat(CoLocatedServers.nameOf("127.0.0.2", port)).isNull(); // another process may listen there
        assertThat(CoLocatedServers.nameOf("127.0.0.1", port == 65535 ? 1 : port + 1)).isNull();
        assertThat(CoLocatedServers.nameOf("example.com", port)).isNull();
        assertThat(CoLocatedServers.registered()).extracting(CoLocatedServers.Registration::port).contains(port);

        GrpcServers.stop(s, Duration.ofSeconds(1));
        assertThat(CoLocatedServers.nameOf("127.0.0.1", port)).isNull();
        assertThat(CoLocatedServers.registered()).extracting(CoLocatedServers.Registration::port)
                .doesNotContain(port);
    }

    @Test
    @DisplayName("direct: the service object of a server whose calls run on the caller's thread, by type, while it runs")
    void directServiceObjects() {
        Server s = serve("127.0.0.1", 0, 1 << 20);
        int port = s.getPort();
        var echo = CoLocatedServers.direct("localhost", port, BindableService.class);
        var other = CoLocatedServers.direct("127.0.0.1", port, Runnable.class);
        long before = CoLocatedServers.directCalls();
        assertThat(echo.get()).isSameAs(ECHO_SERVICE);
        assertThat(other.get()).isNull();
        assertThat(CoLocatedServers.directCalls()).isEqualTo(before + 1);
        // Calls that run on gRPC's executor are not offered as objects.
        Server blocking = GrpcServers.start("127.0.0.1", 0, 1 << 20, ECHO_SERVICE);
        servers.add(blocking);
        assertThat(CoLocatedServers.direct("127.0.0.1", blocking.getPort(), BindableService.class).get()).isNull();

        GrpcServers.stop(s, Duration.ofSeconds(1));
        assertThat(echo.get()).isNull();
        Server again = serve("127.0.0.1", port, 1 << 20);
        assertThat(echo.get()).isSameAs(ECHO_SERVICE);
        GrpcServers.stop(again, Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("a server bound to the wildcard address is reached through any loopback name")
    void wildcardBind() {
        int port = serve("0.0.0.0", 0, 1 << 20).getPort();
        assertThat(CoLocatedServers.nameOf("127.0.0.1", port)).isNotNull();
        assertThat(CoLocatedServers.nameOf("localhost", port)).isNotNull();
        assertThat(CoLocatedServers.nameOf("0.0.0.0", port)).isNotNull();
    }

    @Test
    @DisplayName("calls to a co-located server go in-process; the same channel follows a restart on the same port")
    void inProcessWhenCoLocated() {
        Server s = serve("127.0.0.1", 0, 1 << 20);
        int port = s.getPort();
        ManagedChannel c = open("localhost", port, 1 << 20);
        assertThat(GrpcChannels.isInProcessNow(c)).isTrue();
        long inProcess = CoLocatedServers.inProcessCalls();
        long netty = CoLocatedServers.nettyCalls();

        assertThat(echo(c, "hello", 3).getPath()).isEqualTo("hello");
        assertThat(CoLocatedServers.inProcessCalls()).isGreaterThan(inProcess);
        assertThat(CoLocatedServers.nettyCalls()).isEqualTo(netty);

        // Stopped: nothing serves the address (the Netty route finds nothing listening either).
        GrpcServers.stop(s, Duration.ofSeconds(1));
        assertThat(GrpcChannels.isInProcessNow(c)).isFalse();
        assertThatThrownBy(() -> echo(c, "gone", 0)).isInstanceOf(StatusRuntimeException.class)
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

        // Started again on the same port: the next call takes the new in-process server.
        serve("127.0.0.1", port, 1 << 20);
        assertThat(GrpcChannels.isInProcessNow(c)).isTrue();
        assertThat(echo(c, "back", 0).getPath()).isEqualTo("back");
    }

    @Test
    @DisplayName("a server that is not in this JVM is reached over Netty")
    void nettyOtherwise() {
        System.setProperty(CoLocatedServers.ENABLED_PROPERTY, "false");
        Server elsewhere = serve("127.0.0.1", 0, 1 << 20); // as if in another process: not registered
        System.clearProperty(CoLocatedServers.ENABLED_PROPERTY);
        assertThat(CoLocatedServers.nameOf("127.0.0.1", elsewhere.getPort())).isNull();

        ManagedChannel c = open("127.0.0.1", elsewhere.getPort(), 1 << 20);
        assertThat(GrpcChannels.isInProcessNow(c)).isFalse();
        long netty = CoLocatedServers.nettyCalls();
        assertThat(echo(c, "over tcp", 5).getData().size()).isEqualTo(5);
        assertThat(CoLocatedServers.nettyCalls()).isGreaterThan(netty);
    }

    @Test
    @DisplayName("switched off: nothing is registered and channels are plain Netty ones")
    void switchOff() {
        System.setProperty(CoLocatedServers.ENABLED_PROPERTY, "false");
        assertThat(CoLocatedServers.enabled()).isFalse();
        Server s = serve("127.0.0.1", 0, 1 << 20);
        assertThat(CoLocatedServers.nameOf("127.0.0.1", s.getPort())).isNull();
        ManagedChannel c = open("127.0.0.1", s.getPort(), 1 << 20);
        assertThat(c).isNotInstanceOf(CoLocatedChannel.class);
        long inProcess = CoLocatedServers.inProcessCalls();
        assertThat(echo(c, "netty", 1).getPath()).isEqualTo("netty");
        assertThat(CoLocatedServers.inProcessCalls()).isEqualTo(inProcess);
    }

    @Nested
    @DisplayName("message size limits are Netty's on both paths")
    class Limits {
        @Test
        @DisplayName("in-process: a request over the server's limit and a response over the channel's are refused")
        void inProcess() {
            assertLimits();
        }

        @Test
        @DisplayName("over Netty: the same codes and texts")
        void netty() {
            System.setProperty(CoLocatedServers.ENABLED_PROPERTY, "false");
            assertLimits();
        }

        private void assertLimits() {
            int port = serve("127.0.0.1", 0, 1024).getPort();
            ManagedChannel c = open("127.0.0.1", port, 4096);
            assertThat(echo(c, "x".repeat(1000), 2000).getData().size()).isEqualTo(2000);

            assertThatThrownBy(() -> echo(c, "x".repeat(2000), 0))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription()).contains("exceeds maximum size 1024");
                    });
            assertThatThrownBy(() -> echo(c, "y", 5000))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription()).contains("exceeds maximum size 4096");
                    });
            // The channel and the server still serve.
            assertThat(echo(c, "ok", 10).getPath()).isEqualTo("ok");
        }
    }
}
