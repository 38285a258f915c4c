package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * Malformed input over a raw socket to the gateway of a whole cluster (DESIGN rule 4, "nothing
 * unbounded from a client"): each bad client gets Redis's protocol error and a closed
 * connection, while a Jedis client on another connection keeps getting correct replies from the
 * stores the whole time.
 */
@Timeout(120)
class MalformedInputE2eTest extends ClusterE2eTest {

    @Test
    void badClientsAreToldAndDisconnectedWhileOthersAreServed() throws Exception {
        AtomicLong good = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<String> keys = E2eKeys.onePerGroup(cluster, "mal:");
        Thread bystander = new Thread(() -> {
            try (Jedis j = new Jedis(new HostAndPort(cluster.host(), cluster.gatewayPort()),
                    DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2).socketTimeoutMillis(30_000).build())) {
                while (!Thread.currentThread().isInterrupted()) {
                    long n = good.get() + 1;
                    for (String k : keys) {
                        if (!"OK".equals(j.set(k, Long.toString(n))) || !Long.toString(n).equals(j.get(k))) {
                            throw new AssertionError("wrong reply for " + k + " at " + n);
                        }
                    }
                    good.set(n);
                }
            } catch (Throwable t) {
                if (!Thread.currentThread().isInterrupted()) {
                    failure.set(t);
                }
            }
        }, "bystander");
        bystander.start();
        try {
            long before = awaitProgress(good, 0);

            // Not RESP: '*' followed by no number.
            assertRefused("*abc\r\n", "-ERR Protocol error: invalid multibulk length");
            // Random bytes starting with a multibulk.
            assertRefused("*\u00ff\u0000\u0013garbage\r\n", "-ERR Protocol error: invalid multibulk length");
            // A bulk of 2^40 bytes: above proto-max-bulk-len (512 MB).
            assertRefused("*1\r\n$1099511627776\r\n", "-ERR Protocol error: invalid bulk length");
            // 10^7 elements declared, then nothing: above the 1024*1024 arguments per command.
            assertRefused("*10000000\r\n", "-ERR Protocol error: invalid multibulk length");
            // A bulk header where a '$' belongs.
            assertRefused("*1\r\nxx\r\n", "-ERR Protocol error: expected '$', got 'x'");
            // An inline line over 64 KB with no end.
            assertRefused("GET " + "x".repeat(70 * 1024), "-ERR Protocol error: too big inline request");
            // Unbalanced quotes in an inline command.
            assertRefused("SET \"k v\r\n", "-ERR Protocol error: unbalanced quotes in request");

            awaitProgress(good, before);
        } finally {
            bystander.interrupt();
            bystander.join(30_000);
        }
        assertThat(failure.get()).as("the other client's replies").isNull();
        assertThat(good.get()).isPositive();
    }

    /** Waits until the bystander completed rounds beyond {@code from}; returns its count. */
    private static long awaitProgress(AtomicLong good, long from) {
        await("rounds of the other client").atMost(Duration.ofSeconds(30)).until(() -> good.get() > from + 2);
        return good.get();
    }

    /** Sends the bytes on a new connection: the reply is the error, then the server closes. */
    private static void assertRefused(String bytes, String error) throws IOException {
        try (Socket s = new Socket(cluster.host(), cluster.gatewayPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).as("reply to %.40s", bytes).isEqualTo(error);
            assertThat(closed(in)).as("closed after %.40s", bytes).isTrue();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                return "<closed without reply: " + b.toString(StandardCharsets.UTF_8) + ">";
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.UTF_8);
    }

    private static boolean closed(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: closed as well
        }
    }
}
