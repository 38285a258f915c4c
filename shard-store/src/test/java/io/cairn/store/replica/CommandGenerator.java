package io.cairn.store.replica;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random Redis commands over a small key space, every family and option, mostly well-typed
 * (key names carry their type) with some mistakes mixed in, for determinism and snapshot tests.
 */
final class CommandGenerator {
    private final Random r;
    private final int keysPerType;

    CommandGenerator(Random r, int keysPerType) {
        this.r = r;
        this.keysPerType = keysPerType;
    }

    private String key(String type) {
        // 1 in 20 commands hits a key of another type (WRONGTYPE paths); {tag} keeps one slot per key
        String t = r.nextInt(20) == 0 ? List.of("s", "h", "l", "t", "z").get(r.nextInt(5)) : type;
        return "{" + t + r.nextInt(keysPerType) + "}";
    }

    private String member() {
        return "m" + r.nextInt(200);
    }

    private String num() {
        return Integer.toString(r.nextInt(2000) - 1000);
    }

    private String score() {
        switch (r.nextInt(6)) {
            case 0: return "-inf";
            case 1: return "+inf";
            case 2: return Double.toString(r.nextDouble() * 100 - 50);
            default: return Integer.toString(r.nextInt(100));
        }
    }

    byte[][] next() {
        List<String> a = new ArrayList<>();
        switch (r.nextInt(5)) {
            case 0: strings(a); break;
            case 1: hashes(a); break;
            case 2: lists(a); break;
            case 3: sets(a); break;
            default: zsets(a); break;
        }
        if (r.nextInt(25) == 0) {
            a.clear();
            keys(a);
        }
        byte[][] argv = new byte[a.size()][];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = a.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return argv;
    }

    private void add(List<String> a, String... xs) {
        a.addAll(List.of(xs));
    }

    private void strings(List<String> a) {
        String k = key("s");
        switch (r.nextInt(12)) {
            case 0: add(a, "set", k, "v" + r.nextInt(100)); break;
            case 1: add(a, "set", k, "v" + r.nextInt(100), "px", Integer.toString(1 + r.nextInt(5000))); break;
            case 2: add(a, "set", k, num(), r.nextBoolean() ? "nx" : "xx", "get"); break;
            case 3: add(a, "incrby", k, num()); break;
            case 4: add(a, "incrbyfloat", k, "1.5"); break;
            case 5: add(a, "append", k, "xy"); break;
            case 6: add(a, "setrange", k, Integer.toString(r.nextInt(20)), "abc"); break;
            case 7: add(a, "getdel", k); break;
            case 8: add(a, "mset", k, "1", key("s"), "2"); break;
            case 9: add(a, "getex", k, "px", Integer.toString(1 + r.nextInt(3000))); break;
            case 10: add(a, "decr", k); break;
            default: add(a, "getset", k, "g"); break;
        }
    }

    private void hashes(List<String> a) {
        String k = key("h");
        switch (r.nextInt(7)) {
            case 0: add(a, "hset", k, member(), "v", member(), num()); break;
            case 1: add(a, "hdel", k, member(), member()); break;
            case 2: add(a, "hincrby", k, member(), num()); break;
            case 3: add(a, "hincrbyfloat", k, member(), "0.25"); break;
            case 4: add(a, "hsetnx", k, member(), "n"); break;
            case 5: add(a, "hmset", k, member(), "a", member(), "b"); break;
            default:
                // a big hash (more members than Keyspace deletes one by one)
                add(a, "hset", k);
                for (int i = 0; i < 150; i++) {
                    add(a, "f" + i, "v");
                }
                break;
        }
    }

    private void lists(List<String> a) {
        String k = key("l");
        switch (r.nextInt(9)) {
            case 0: add(a, "lpush", k, member(), member()); break;
            case 1: add(a, "rpush", k, member(), member(), member()); break;
            case 2: add(a, "lpop", k, Integer.toString(1 + r.nextInt(3))); break;
            case 3: add(a, "rpop", k); break;
            case 4: add(a, "lset", k, Integer.toString(r.nextInt(6) - 3), "set"); break;
            case 5: add(a, "linsert", k, r.nextBoolean() ? "before" : "after", member(), "ins"); break;
            case 6: add(a, "lrem", k, Integer.toString(r.nextInt(5) - 2), member()); break;
            case 7: add(a, "ltrim", k, Integer.toString(r.nextInt(4)), Integer.toString(r.nextInt(10) - 3)); break;
            default: add(a, "lmove", k, key("l"), r.nextBoolean() ? "left" : "right", r.nextBoolean() ? "left" : "right"); break;
        }
    }

    private void sets(List<String> a) {
        String k = key("t");
        switch (r.nextInt(7)) {
            case 0: add(a, "sadd", k, member(), member(), member()); break;
            case 1: add(a, "srem", k, member()); break;
            case 2: add(a, "spop", k, Integer.toString(r.nextInt(3))); break;
            case 3: add(a, "smove", k, key("t"), member()); break;
            case 4: add(a, "sunionstore", key("t"), k, key("t")); break;
            case 5: add(a, "sinterstore", key("t"), k, key("t")); break;
            default: add(a, "sdiffstore", key("t"), k, key("t")); break;
        }
    }

    private void zsets(List<String> a) {
        String k = key("z");
        switch (r.nextInt(9)) {
            case 0: add(a, "zadd", k, score(), member(), score(), member()); break;
            case 1: add(a, "zadd", k, r.nextBoolean() ? "gt" : "lt", "ch", score(), member()); break;
            case 2: add(a, "zincrby", k, num(), member()); break;
            case 3: add(a, "zrem", k, member()); break;
            case 4: add(a, "zpopmin", k, Integer.toString(1 + r.nextInt(3))); break;
            case 5: add(a, "zremrangebyscore", k, "-inf", Integer.toString(r.nextInt(50))); break;
            case 6: add(a, "zremrangebyrank", k, "0", Integer.toString(r.nextInt(3))); break;
            case 7: add(a, "zunionstore", key("z"), "2", k, key("z"), "weights", "1", "2"); break;
            default: add(a, "zinterstore", key("z"), "2", k, key("z"), "aggregate", "max"); break;
        }
    }

    private void keys(List<String> a) {
        String k = key(List.of("s", "h", "l", "t", "z").get(r.nextInt(5)));
        switch (r.nextInt(8)) {
            case 0: add(a, "del", k); break;
            case 1: add(a, "expire", k, Integer.toString(1 + r.nextInt(5))); break;
            case 2: add(a, "pexpire", k, Integer.toString(1 + r.nextInt(3000)), "gt"); break;
            case 3: add(a, "persist", k); break;
            case 4: add(a, "rename", k, key("s")); break;
            case 5: add(a, "copy", k, key("h"), "replace"); break;
            case 6: add(a, "unlink", k, key("l")); break;
            default: add(a, "renamenx", k, key("z")); break;
        }
    }
}
