package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lettuce against a whole cluster through the gateway, in RESP2 and RESP3
 * ({@code ClientOptions.protocolVersion}): every command family of the shard store on keys spread
 * over every group, and pipelining through the async API with auto-flush off.
 */
@Timeout(180)
class LettuceE2eTest extends ClusterE2eTest {
    private static RedisClient client;

    @BeforeAll
    static void openClient() {
        client = RedisClient.create(RedisURI.builder().withHost(cluster.host()).withPort(cluster.gatewayPort())
                .withTimeout(Duration.ofSeconds(30)).build());
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    private static StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client.connect();
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void everyCommandFamily(ProtocolVersion protocol) {
        String p = "lettuce:" + protocol + ":";
        List<String> keys = E2eKeys.spread(cluster, p, 24);
        try (StatefulRedisConnection<String, String> c = connect(protocol)) {
            RedisCommands<String, String> r = c.sync();
            assertThat(r.ping()).isEqualTo("PONG");
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                // strings
                assertThat(r.set(k, "v" + i)).isEqualTo("OK");
                assertThat(r.get(k)).isEqualTo("v" + i);
                assertThat(r.append(k, "x")).isEqualTo(("v" + i).length() + 1L);
                assertThat(r.incrby(k + ":n", i)).isEqualTo(i);
                assertThat(r.incrbyfloat(k + ":n", 0.5)).isEqualTo(i + 0.5);
                // keys and TTL
                assertThat(r.expire(k, 100)).isTrue();
                assertThat(r.ttl(k)).isBetween(1L, 100L);
                assertThat(r.type(k)).isEqualTo("string");
                // hashes
                Map<String, String> h = new LinkedHashMap<>();
                h.put("a", k);
                h.put("b", Integer.toString(i));
                assertThat(r.hset(k + ":h", h)).isEqualTo(2);
                assertThat(r.hgetall(k + ":h")).isEqualTo(h);
                assertThat(r.hincrby(k + ":h", "b", 1)).isEqualTo(i + 1);
                // lists
                assertThat(r.rpush(k + ":l", "1", "2", "3")).isEqualTo(3);
                assertThat(r.lpop(k + ":l")).isEqualTo("1");
                assertThat(r.lrange(k + ":l", 0, -1)).containsExactly("2", "3");
                // sets
                assertThat(r.sadd(k + ":s", "a", "b")).isEqualTo(2);
                assertThat(r.smembers(k + ":s")).containsExactlyInAnyOrder("a", "b");
                assertThat(r.sismember(k + ":s", "c")).isFalse();
                // sorted sets
                assertThat(r.zadd(k + ":z", 2.5, "m", 1.0, "n")).isEqualTo(2);
                assertThat(r.zrangeWithScores(k + ":z", 0, -1))
                        .containsExactly(ScoredValue.just(1, "n"), ScoredValue.just(2.5, "m"));
                assertThat(r.zscore(k + ":z", "m")).isEqualTo(2.5);
            }
            String k = keys.get(0);
            assertThat(r.set(k, "y", SetArgs.Builder.nx())).isNull();
            assertThat(r.persist(k)).isTrue();
            assertThat(r.ttl(k)).isEqualTo(-1);
            assertThat(r.exists(keys.toArray(String[]::new))).isEqualTo(keys.size());
            List<KeyValue<String, String>> mget = r.mget(keys.get(0), p + "missing", keys.get(1));
            assertThat(mget.get(0).getValue()).isEqualTo("v0x");
            assertThat(mget.get(1).hasValue()).isFalse();
            assertThat(mget.get(2).getValue()).isEqualTo("v1x");
            assertThat(r.zpopmin(k + ":z")).isEqualTo(ScoredValue.just(1, "n"));
            assertThat(r.spop(k + ":s")).isIn("a", "b");
            assertThatThrownBy(() -> r.sinter(keys.get(0) + ":s", keys.get(1) + ":s"))
                    .hasMessageStartingWith("CROSSSLOT");

            // SCAN over every group, KEYS and DBSIZE.
            List<String> scanned = new ArrayList<>();
            KeyScanCursor<String> cursor = r.scan(ScanArgs.Builder.matches(p + "*").limit(40));
            scanned.addAll(cursor.getKeys());
            while (!cursor.isFinished()) {
                cursor = r.scan(cursor, ScanArgs.Builder.matches(p + "*").limit(40));
                scanned.addAll(cursor.getKeys());
            }
            assertThat(scanned).hasSize(keys.size() * 6).containsAll(keys);
            assertThat(r.keys(p + "*")).containsExactlyInAnyOrderElementsOf(scanned);
            assertThat(r.dbsize()).isGreaterThanOrEqualTo(scanned.size());
            assertThat(r.del(keys.toArray(String[]::new))).isEqualTo(keys.size());
            assertThat(r.scan(ScanCursor.INITIAL).getKeys()).doesNotContainAnyElementsOf(keys);
        }
    }

    /** 2,000 commands sent in one flush through the async API; replies come back in order. */
    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void pipelining(ProtocolVersion protocol) {
        List<String> keys = E2eKeys.spread(cluster, "lettuce-pipe:" + protocol + ":", 400);
        try (StatefulRedisConnection<String, String> c = connect(protocol)) {
            RedisAsyncCommands<String, String> a = c.async();
            c.setAutoFlushCommands(false);
            List<RedisFuture<?>> all = new ArrayList<>();
            List<RedisFuture<Long>> incrs = new ArrayList<>();
            List<RedisFuture<String>> gets = new ArrayList<>();
            List<RedisFuture<Double>> scores = new ArrayList<>();
            for (String k : keys) {
                all.add(a.set(k, k));
                incrs.add(a.incrby(k + ":n", k.length()));
                all.add(a.zadd(k + ":z", k.length(), k));
                gets.add(a.get(k));
                scores.add(a.zscore(k + ":z", k));
            }
            all.addAll(incrs);
            all.addAll(gets);
            all.addAll(scores);
            c.flushCommands();
            assertThat(LettuceFutures.awaitAll(60, TimeUnit.SECONDS, all.toArray(RedisFuture[]::new))).isTrue();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                assertThat(incrs.get(i).toCompletableFuture().join()).isEqualTo(k.length());
                assertThat(gets.get(i).toCompletableFuture().join()).isEqualTo(k);
                assertThat(scores.get(i).toCompletableFuture().join()).isEqualTo((double) k.length());
            }
            c.setAutoFlushCommands(true);
        }
    }
}
