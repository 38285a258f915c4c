package io.cairn.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * Jedis against a whole cluster through the gateway: every command family of the shard store
 * (strings, keys and TTLs, hashes, lists, sets, sorted sets, SCAN/KEYS/DBSIZE) in RESP2 and RESP3
 * (Jedis sends {@code HELLO 3}), pipelined and not, on keys spread over many slots and every
 * group. Values are asserted, as Jedis decodes them in each protocol.
 */
@Timeout(180)
class JedisE2eTest extends ClusterE2eTest {

    private static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort(cluster.host(), cluster.gatewayPort()),
                DefaultJedisClientConfig.builder().protocol(protocol).socketTimeoutMillis(30_000).build());
    }

    private static String prefix(RedisProtocol protocol, String family) {
        return "jedis:" + protocol + ":" + family + ":";
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void connectionSpeaksTheProtocol(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.echo("hi")).isEqualTo("hi");
            assertThat(j.getConnection().getRedisProtocol()).isEqualTo(protocol);
            assertThat(j.clientSetname("e2e")).isEqualTo("OK");
            assertThat(j.clientGetname()).isEqualTo("e2e");
            // WAIT: the other voters (of three) whose logs hold this connection's write
            assertThat(j.set("e2e:wait:" + protocol, "v")).isEqualTo("OK");
            assertThat(j.waitReplicas(2, 5000)).isEqualTo(2L);
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void strings(RedisProtocol protocol) {
        String p = prefix(protocol, "str");
        List<String> keys = E2eKeys.spread(cluster, p, 30);
        try (Jedis j = connect(protocol)) {
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                assertThat(j.set(k, "v" + i)).isEqualTo("OK");
                assertThat(j.get(k)).isEqualTo("v" + i);
                assertThat(j.append(k, "!")).isEqualTo(("v" + i).length() + 1L);
                assertThat(j.strlen(k)).isEqualTo(("v" + i).length() + 1L);
            }
            String k = keys.get(0);
            assertThat(j.getrange(k, 0, 1)).isEqualTo("v0");
            assertThat(j.setrange(k, 1, "XY")).isEqualTo(3);
            assertThat(j.get(k)).isEqualTo("vXY");
            assertThat(j.getSet(k, "new")).isEqualTo("vXY");
            assertThat(j.getDel(k)).isEqualTo("new");
            assertThat(j.get(k)).isNull();
            assertThat(j.set(k, "a", SetParams.setParams().xx())).isNull();
            assertThat(j.set(k, "a", SetParams.setParams().nx())).isEqualTo("OK");
            assertThat(j.set(k, "b", SetParams.setParams().nx())).isNull();
            assertThat(j.setGet(k, "c")).isEqualTo("a");
            assertThat(j.setnx(k, "d")).isZero();
            assertThat(j.setex(k, 100, "e")).isEqualTo("OK");
            assertThat(j.ttl(k)).isBetween(1L, 100L);
            assertThat(j.getEx(k, GetExParams.getExParams().persist())).isEqualTo("e");
            assertThat(j.ttl(k)).isEqualTo(-1);
            assertThat(j.psetex(k, 100_000, "f")).isEqualTo("OK");
            assertThat(j.pttl(k)).isBetween(1L, 100_000L);

            assertThatThrownBy(() -> j.incr(keys.get(1))) // "v1!" is not an integer
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");

            String n = keys.get(2);
            j.del(n);
            assertThat(j.incr(n)).isEqualTo(1);
            assertThat(j.incrBy(n, 41)).isEqualTo(42);
            assertThat(j.decr(n)).isEqualTo(41);
            assertThat(j.decrBy(n, 40)).isEqualTo(1);
            assertThat(j.incrByFloat(n, 1.5)).isEqualTo(2.5);
            assertThat(j.get(n)).isEqualTo("2.5");

            // MSET / MGET across groups: split per group by the gateway, merged in key order.
            List<String> kv = new ArrayList<>();
            for (String key : keys) {
                kv.add(key);
                kv.add("m-" + key);
            }
            assertThat(j.mset(kv.toArray(String[]::new))).isEqualTo("OK");
            List<String> expected = new ArrayList<>();
            for (String key : keys) {
                expected.add("m-" + key);
            }
            expected.add(null);
            List<String> asked = new ArrayList<>(keys);
            asked.add(p + "missing");
            assertThat(j.mget(asked.toArray(String[]::new))).containsExactlyElementsOf(expected);
            // MSETNX is atomic, so one slot only: a hash tag.
            assertThat(j.msetnx("{" + p + "t}a", "1", "{" + p + "t}b", "2")).isEqualTo(1);
            assertThat(j.msetnx("{" + p + "t}a", "1", "{" + p + "t}c", "3")).isZero();
            assertThatThrownBy(() -> j.msetnx(keys.get(0), "1", keys.get(1), "2"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("CROSSSLOT");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void keysAndTtl(RedisProtocol protocol) {
        String p = prefix(protocol, "key");
        List<String> keys = E2eKeys.spread(cluster, p, 30);
        String[] all = keys.toArray(String[]::new);
        try (Jedis j = connect(protocol)) {
            for (String k : keys) {
                j.set(k, "x");
            }
            assertThat(j.exists(all)).isEqualTo(30);
            assertThat(j.touch(all)).isEqualTo(30);
            assertThat(j.del(keys.subList(0, 10).toArray(String[]::new))).isEqualTo(10);
            assertThat(j.unlink(keys.subList(5, 15).toArray(String[]::new))).isEqualTo(5);
            assertThat(j.exists(all)).isEqualTo(15);

            String k = keys.get(20);
            assertThat(j.type(k)).isEqualTo("string");
            assertThat(j.ttl(k)).isEqualTo(-1);
            assertThat(j.ttl(p + "missing")).isEqualTo(-2);
            assertThat(j.expire(k, 100)).isEqualTo(1);
            assertThat(j.ttl(k)).isBetween(1L, 100L);
            assertThat(j.pttl(k)).isBetween(1L, 100_000L);
            assertThat(j.persist(k)).isEqualTo(1);
            assertThat(j.ttl(k)).isEqualTo(-1);
            assertThat(j.pexpire(k, 100_000)).isEqualTo(1);
            long at = System.currentTimeMillis() / 1000 + 1000;
            assertThat(j.expireAt(k, at)).isEqualTo(1);
            assertThat(j.expireTime(k)).isEqualTo(at);
            assertThat(j.pexpireTime(k)).isEqualTo(at * 1000);

            // Rename and copy need one slot: a hash tag.
            String a = "{" + p + "t}a";
            String b = "{" + p + "t}b";
            String c = "{" + p + "t}c";
            j.set(a, "va");
            assertThat(j.rename(a, b)).isEqualTo("OK");
            assertThat(j.get(b)).isEqualTo("va");
            assertThat(j.copy(b, c, false)).isTrue();
            assertThat(j.renamenx(b, c)).isZero();
            assertThat(j.get(c)).isEqualTo("va");
            assertThatThrownBy(() -> j.rename(keys.get(20), keys.get(21)))
                    .hasMessageStartingWith("CROSSSLOT");

            // A key set with a short TTL disappears (read-side and active expiry).
            String shortLived = keys.get(25);
            assertThat(j.set(shortLived, "gone", SetParams.setParams().px(200))).isEqualTo("OK");
            await().atMost(Duration.ofSeconds(10)).until(() -> !j.exists(shortLived));
            assertThat(j.get(shortLived)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void hashes(RedisProtocol protocol) {
        List<String> keys = E2eKeys.spread(cluster, prefix(protocol, "hash"), 20);
        try (Jedis j = connect(protocol)) {
            for (String k : keys) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (int f = 0; f < 10; f++) {
                    fields.put("f" + f, k + "=" + f);
                }
                assertThat(j.hset(k, fields)).isEqualTo(10);
                assertThat(j.hgetAll(k)).isEqualTo(fields);
                assertThat(j.hlen(k)).isEqualTo(10);
                assertThat(j.hget(k, "f3")).isEqualTo(k + "=3");
            }
            String k = keys.get(0);
            assertThat(j.hmget(k, "f1", "nope", "f2")).containsExactly(k + "=1", null, k + "=2");
            assertThat(j.hexists(k, "f1")).isTrue();
            assertThat(j.hdel(k, "f1", "nope")).isEqualTo(1);
            assertThat(j.hexists(k, "f1")).isFalse();
            assertThat(j.hsetnx(k, "f2", "x")).isZero();
            assertThat(j.hsetnx(k, "n", "5")).isEqualTo(1);
            assertThat(j.hincrBy(k, "n", 10)).isEqualTo(15);
            assertThat(j.hincrByFloat(k, "n", 0.5)).isEqualTo(15.5);
            assertThat(j.hstrlen(k, "n")).isEqualTo(4);
            assertThat(j.hkeys(k)).containsExactlyInAnyOrder("f0", "f2", "f3", "f4", "f5", "f6", "f7", "f8",
                    "f9", "n");
            assertThat(j.hvals(k)).hasSize(10).contains("15.5", k + "=0");
            assertThat(j.hrandfield(k, 3)).hasSize(3).allSatisfy(f -> assertThat(j.hexists(k, f)).isTrue());

            Map<String, String> scanned = new HashMap<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Map.Entry<String, String>> r = j.hscan(k, cursor, new ScanParams().count(3));
                r.getResult().forEach(e -> scanned.put(e.getKey(), e.getValue()));
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(scanned).isEqualTo(j.hgetAll(k));
            assertThatThrownBy(() -> j.lpush(k, "x")).hasMessageStartingWith("WRONGTYPE");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void lists(RedisProtocol protocol) {
        String p = prefix(protocol, "list");
        List<String> keys = E2eKeys.spread(cluster, p, 20);
        try (Jedis j = connect(protocol)) {
            for (String k : keys) {
                assertThat(j.rpush(k, "c", "d", "e")).isEqualTo(3);
                assertThat(j.lpush(k, "b", "a")).isEqualTo(5);
                assertThat(j.lrange(k, 0, -1)).containsExactly("a", "b", "c", "d", "e");
            }
            String k = keys.get(0);
            assertThat(j.lpop(k)).isEqualTo("a");
            assertThat(j.rpop(k)).isEqualTo("e");
            assertThat(j.llen(k)).isEqualTo(3);
            assertThat(j.lindex(k, 1)).isEqualTo("c");
            assertThat(j.lset(k, 1, "C")).isEqualTo("OK");
            assertThat(j.linsert(k, ListPosition.BEFORE, "C", "x")).isEqualTo(4);
            assertThat(j.lrange(k, 0, -1)).containsExactly("b", "x", "C", "d");
            assertThat(j.rpush(k, "x", "x")).isEqualTo(6);
            assertThat(j.lpos(k, "x")).isEqualTo(1);
            assertThat(j.lrem(k, 0, "x")).isEqualTo(3);
            assertThat(j.ltrim(k, 0, 1)).isEqualTo("OK");
            assertThat(j.lrange(k, 0, -1)).containsExactly("b", "C");
            assertThat(j.lpop(k, 5)).containsExactly("b", "C");
            assertThat(j.exists(k)).isFalse();
            assertThat(j.lpushx(k, "z")).isZero();

            String a = "{" + p + "t}a";
            String b = "{" + p + "t}b";
            j.rpush(a, "1", "2", "3");
            assertThat(j.lmove(a, b, ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("1");
            assertThat(j.rpoplpush(a, b)).isEqualTo("3");
            assertThat(j.lrange(b, 0, -1)).containsExactly("3", "1");
            assertThat(j.lrange(a, 0, -1)).containsExactly("2");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void sets(RedisProtocol protocol) {
        String p = prefix(protocol, "set");
        List<String> keys = E2eKeys.spread(cluster, p, 20);
        try (Jedis j = connect(protocol)) {
            for (String k : keys) {
                assertThat(j.sadd(k, "a", "b", "c", "a")).isEqualTo(3);
                assertThat(j.smembers(k)).containsExactlyInAnyOrder("a", "b", "c");
            }
            String k = keys.get(0);
            assertThat(j.sismember(k, "a")).isTrue();
            assertThat(j.smismember(k, "a", "z")).containsExactly(true, false);
            assertThat(j.scard(k)).isEqualTo(3);
            assertThat(j.srem(k, "a", "z")).isEqualTo(1);
            String popped = j.spop(k);
            assertThat(popped).isIn("b", "c");
            assertThat(j.smembers(k)).containsExactly(popped.equals("b") ? "c" : "b");
            assertThat(j.srandmember(keys.get(1), 5)).containsExactlyInAnyOrder("a", "b", "c");

            String x = "{" + p + "t}x";
            String y = "{" + p + "t}y";
            String z = "{" + p + "t}z";
            j.sadd(x, "1", "2", "3");
            j.sadd(y, "2", "3", "4");
            assertThat(j.sinter(x, y)).containsExactlyInAnyOrder("2", "3");
            assertThat(j.sunion(x, y)).containsExactlyInAnyOrder("1", "2", "3", "4");
            assertThat(j.sdiff(x, y)).containsExactly("1");
            assertThat(j.sintercard(x, y)).isEqualTo(2);
            assertThat(j.sinterstore(z, x, y)).isEqualTo(2);
            assertThat(j.smove(x, z, "1")).isEqualTo(1);
            assertThat(j.smembers(z)).containsExactlyInAnyOrder("1", "2", "3");
            assertThatThrownBy(() -> j.sinter(keys.get(0), keys.get(1))).hasMessageStartingWith("CROSSSLOT");

            Set<String> big = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                big.add("m" + i);
            }
            j.sadd(keys.get(2), big.toArray(String[]::new));
            List<String> scanned = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.sscan(keys.get(2), cursor, new ScanParams().count(7));
                scanned.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            big.addAll(List.of("a", "b", "c"));
            assertThat(scanned).containsExactlyInAnyOrderElementsOf(big);
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void sortedSets(RedisProtocol protocol) {
        String p = prefix(protocol, "zset");
        List<String> keys = E2eKeys.spread(cluster, p, 20);
        Map<String, Double> members = Map.of("a", 1.0, "b", 2.0, "c", 3.5, "d", -1.0);
        try (Jedis j = connect(protocol)) {
            for (String k : keys) {
                assertThat(j.zadd(k, members)).isEqualTo(4);
                assertThat(j.zrange(k, 0, -1)).containsExactly("d", "a", "b", "c");
            }
            String k = keys.get(0);
            assertThat(j.zscore(k, "c")).isEqualTo(3.5);
            assertThat(j.zrangeWithScores(k, 0, 1)).containsExactly(new Tuple("d", -1.0), new Tuple("a", 1.0));
            assertThat(j.zrevrange(k, 0, 0)).containsExactly("c");
            assertThat(j.zrank(k, "b")).isEqualTo(2);
            assertThat(j.zrevrank(k, "b")).isEqualTo(1);
            assertThat(j.zincrby(k, 10, "a")).isEqualTo(11.0);
            assertThat(j.zadd(k, 0.5, "a", ZAddParams.zAddParams().nx())).isZero();
            assertThat(j.zcount(k, 0, 5)).isEqualTo(2);
            assertThat(j.zrangeByScore(k, 0, 5)).containsExactly("b", "c");
            assertThat(j.zmscore(k, "a", "nope")).containsExactly(11.0, null);
            assertThat(j.zcard(k)).isEqualTo(4);
            assertThat(j.zrem(k, "b", "nope")).isEqualTo(1);
            assertThat(j.zpopmin(k)).isEqualTo(new Tuple("d", -1.0));
            assertThat(j.zpopmax(k)).isEqualTo(new Tuple("a", 11.0));
            assertThat(j.zrangeWithScores(k, 0, -1)).containsExactly(new Tuple("c", 3.5));

            String lex = keys.get(1);
            j.del(lex);
            j.zadd(lex, Map.of("aa", 0.0, "ab", 0.0, "b", 0.0, "c", 0.0));
            assertThat(j.zlexcount(lex, "[a", "(b")).isEqualTo(2);
            assertThat(j.zrangeByLex(lex, "[ab", "+")).containsExactly("ab", "b", "c");
            assertThat(j.zremrangeByScore(lex, 0, 0)).isEqualTo(4);

            String x = "{" + p + "t}x";
            String y = "{" + p + "t}y";
            String out = "{" + p + "t}out";
            j.zadd(x, Map.of("1", 1.0, "2", 2.0));
            j.zadd(y, Map.of("2", 20.0, "3", 30.0));
            assertThat(j.zunionstore(out, x, y)).isEqualTo(3);
            assertThat(j.zrangeWithScores(out, 0, -1))
                    .containsExactly(new Tuple("1", 1.0), new Tuple("2", 22.0), new Tuple("3", 30.0));
            assertThat(j.zinterstore(out, x, y)).isEqualTo(1);
            assertThat(j.zscore(out, "2")).isEqualTo(22.0);

            List<String> scanned = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Tuple> r = j.zscan(keys.get(2), cursor, new ScanParams().count(2));
                r.getResult().forEach(t -> scanned.add(t.getElement() + "=" + t.getScore()));
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(scanned).containsExactlyInAnyOrder("a=1.0", "b=2.0", "c=3.5", "d=-1.0");
        }
    }

    /** SCAN, KEYS and DBSIZE walk every group; FLUSHALL empties them all. */
    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void scanKeysAndDbsizeCoverEveryGroup(RedisProtocol protocol) {
        String p = prefix(protocol, "scan");
        List<String> keys = E2eKeys.spread(cluster, p, 300);
        try (Jedis j = connect(protocol)) {
            assertThat(j.flushAll()).isEqualTo("OK");
            assertThat(j.dbSize()).isZero();
            Pipeline pl = j.pipelined();
            for (int i = 0; i < keys.size(); i++) {
                if (i % 3 == 0) {
                    pl.hset(keys.get(i), "f", "v");
                } else {
                    pl.set(keys.get(i), "v");
                }
            }
            pl.sync();
            j.set("other:1", "x");
            assertThat(j.dbSize()).isEqualTo(301);
            assertThat(j.keys(p + "*")).containsExactlyInAnyOrderElementsOf(keys);

            List<String> scanned = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().match(p + "*").count(50));
                scanned.addAll(r.getResult());
                cursor = r.getCursor();
                calls++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(scanned).containsExactlyInAnyOrderElementsOf(keys); // each exactly once
            assertThat(calls).isGreaterThanOrEqualTo(cluster.groups().size());

            List<String> hashes = new ArrayList<>();
            cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().count(100), "hash");
                hashes.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            List<String> expectedHashes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i += 3) {
                expectedHashes.add(keys.get(i));
            }
            assertThat(hashes).containsExactlyInAnyOrderElementsOf(expectedHashes);
            assertThat(j.flushAll()).isEqualTo("OK");
            assertThat(j.dbSize()).isZero();
            assertThat(j.keys("*")).isEmpty();
        }
    }

    /**
     * One pipeline of 1,200 commands of every family on 200 keys spread over the slots; every
     * response is checked, then the state is read back in a second pipeline.
     */
    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void pipeliningOverManySlots(RedisProtocol protocol) {
        List<String> keys = E2eKeys.spread(cluster, prefix(protocol, "pipe"), 200);
        try (Jedis j = connect(protocol)) {
            Pipeline pl = j.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<Long>> incrs = new ArrayList<>();
            List<Response<Long>> hsets = new ArrayList<>();
            List<Response<Long>> pushes = new ArrayList<>();
            List<Response<Long>> zadds = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (String k : keys) {
                sets.add(pl.set(k + ":s", k));
                incrs.add(pl.incrBy(k + ":n", k.length()));
                hsets.add(pl.hset(k + ":h", Map.of("a", "1", "b", k)));
                pushes.add(pl.rpush(k + ":l", "x", "y", k));
                zadds.add(pl.zadd(k + ":z", k.length(), k));
                gets.add(pl.get(k + ":s"));
            }
            pl.sync();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                assertThat(sets.get(i).get()).isEqualTo("OK");
                assertThat(incrs.get(i).get()).isEqualTo(k.length());
                assertThat(hsets.get(i).get()).isEqualTo(2);
                assertThat(pushes.get(i).get()).isEqualTo(3);
                assertThat(zadds.get(i).get()).isEqualTo(1);
                assertThat(gets.get(i).get()).isEqualTo(k);
            }
            List<Response<String>> counters = new ArrayList<>();
            List<Response<String>> fields = new ArrayList<>();
            List<Response<List<String>>> lists = new ArrayList<>();
            List<Response<Double>> scores = new ArrayList<>();
            for (String k : keys) {
                counters.add(pl.get(k + ":n"));
                fields.add(pl.hget(k + ":h", "b"));
                lists.add(pl.lrange(k + ":l", 0, -1));
                scores.add(pl.zscore(k + ":z", k));
            }
            pl.sync();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                assertThat(counters.get(i).get()).isEqualTo(Integer.toString(k.length()));
                assertThat(fields.get(i).get()).isEqualTo(k);
                assertThat(lists.get(i).get()).containsExactly("x", "y", k);
                assertThat(scores.get(i).get()).isEqualTo((double) k.length());
            }
        }
    }
}
