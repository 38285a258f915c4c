package io.cairn.store.types;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Random Redis commands for {@link RedisDifferentialTest}, valid and invalid, over a small key
 * space so that commands hit each other's keys: wrong types, wrong arity, bad numbers, odd
 * options, negative and huge indexes, infinite scores, empty and binary-ish strings.
 *
 * <p>Times are kept far from "now": relative TTLs are hours (1 h .. 11 h, so TTL replies can be
 * compared within a tolerance and GT/LT comparisons never hinge on a millisecond), absolute ones
 * are either hours ahead of {@code nowSeconds} or long past. Random counts stay small, so
 * SRANDMEMBER/HRANDFIELD/ZRANDMEMBER with a negative count never build huge replies, and no
 * command builds a string larger than a few kilobytes.
 */
final class DiffCommands {

    /** The command families the differential test runs, one key space each; MIXED runs them all together. */
    enum Family { STRINGS, KEYS, HASHES, LISTS, SETS, ZSETS, MIXED }

    private static final String[] KEYS = {"k1", "k2", "k3", "k4", "{t}k5", "k\u0000\u00ff"};
    private static final String[] VALUES = {"", "a", "b", "foo", "bar", "0", "1", "-1", "10", "-7", "3.5", "1e3",
        " 2", "007", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc\u0000def",
        "\u00ff\u00fe\r\n", "a b c", "inf", "nan"};
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "1", "2", "3", "10", "-1", "",
        "x\u0000y", "\u00e9"};
    private static final String[] INTS = {"0", "1", "-1", "2", "3", "5", "-3", "100", "-100",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc", "", "1.5", " 1", "+1",
        "007", "0x10"};
    private static final String[] FLOATS = {"0", "1", "-1", "1.5", "-2.25", "0.1", "10", "1e3", "3.0000000000000001",
        "inf", "-inf", "+inf", "nan", "abc", "", "1e308", "-1e308", "1e400", " 1", "5.0e-1", "0x10", "17", "0x1.8p1",
        "0x1p-99999", "0x1p99999999999999999999", "0x", "-0x.8", "1e-320", "infinity"};
    private static final String[] SCORE_BOUNDS = {"-inf", "+inf", "inf", "0", "1", "(1", "2.5", "(2.5", "-1",
        "(-1", "10", "(10", "abc", "(", "(inf", "(-inf", "1e400", "nan", ""};
    private static final String[] LEX_BOUNDS = {"-", "+", "[a", "(a", "[b", "(c", "[e", "(f", "[", "(", "a", "",
        "[1", "(10", "[x\u0000y", "+inf"};
    private static final String[] PATTERNS = {"*", "k*", "k[1-2]", "?2", "*5*", "k\\1", "[", "{t}*", "nomatch",
        "k[^1]*", "*\u0000*", "a*", "[a-c]", "?"};

    private final Random r;
    private final long nowSeconds;

    DiffCommands(long seed, long nowSeconds) {
        this.r = new Random(seed);
        this.nowSeconds = nowSeconds;
    }

    /** The next command of a run over family {@code f}, as raw arguments. */
    byte[][] next(Family f) {
        List<String> cmd;
        int p = r.nextInt(100);
        int otherTypes = f == Family.KEYS ? 30 : f == Family.MIXED ? 0 : 3;
        if (p < otherTypes) {
            Family type = pick(Family.values());
            cmd = create(type);
            if (f != Family.KEYS && type != f && !cmd.get(1).equals(KEYS[3]) && !cmd.get(1).equals(KEYS[5])) {
                // other types go to two keys only, so most commands reach a key of their type
                cmd.set(1, r.nextBoolean() ? KEYS[3] : KEYS[5]);
            }
        } else if (p < otherTypes + 2) {
            cmd = cmd("del", key());
        } else if (p < otherTypes + 5) {
            cmd = keyCommand(true);
        } else {
            cmd = command(f);
        }
        cmd = mutateArity(cmd);
        byte[][] argv = new byte[cmd.size()][];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = cmd.get(i).getBytes(StandardCharsets.ISO_8859_1);
        }
        return argv;
    }

    private List<String> command(Family f) {
        switch (f) {
            case STRINGS:
                return stringCommand();
            case KEYS:
                return keyCommand(false);
            case HASHES:
                return hashCommand();
            case LISTS:
                return listCommand();
            case SETS:
                return setCommand();
            case ZSETS:
                return zsetCommand();
            default:
                // every family on one key space: collections copied, renamed and combined across types
                return command(Family.values()[r.nextInt(Family.MIXED.ordinal())]);
        }
    }

    /** Drops or adds an argument now and then, for wrong-arity errors. */
    private List<String> mutateArity(List<String> cmd) {
        int p = r.nextInt(100);
        if (p < 3 && cmd.size() > 1) {
            return cmd.subList(0, 1 + r.nextInt(cmd.size() - 1));
        }
        if (p < 5) {
            List<String> c = new ArrayList<>(cmd);
            c.add(r.nextBoolean() ? "x" : "1");
            return c;
        }
        return cmd;
    }

    // ---- building blocks ------------------------------------------------------------------------

    private <T> T pick(T[] a) {
        return a[r.nextInt(a.length)];
    }

    private boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    private String key() {
        return pick(KEYS);
    }

    private String value() {
        int p = r.nextInt(100);
        if (p < 10) {
            return Integer.toString(r.nextInt(2001) - 1000);
        }
        if (p < 13) {
            return "v".repeat(1 + r.nextInt(300));
        }
        return pick(VALUES);
    }

    private String member() {
        return chance(15) ? "m" + r.nextInt(40) : pick(MEMBERS);
    }

    private String integer() {
        return chance(60) ? Integer.toString(r.nextInt(21) - 10) : pick(INTS);
    }

    /** A list/string index: mostly near the ends, sometimes huge or not a number. */
    private String index() {
        int p = r.nextInt(100);
        if (p < 80) {
            return Integer.toString(r.nextInt(15) - 7);
        }
        if (p < 90) {
            return pick(new String[] {"1000", "-1000", "9223372036854775807", "-9223372036854775808"});
        }
        return pick(INTS);
    }

    /** A small count that is sometimes zero, negative or not a number. */
    private String count() {
        int p = r.nextInt(100);
        if (p < 75) {
            return Integer.toString(1 + r.nextInt(6));
        }
        if (p < 85) {
            return Integer.toString(-r.nextInt(6));
        }
        return pick(new String[] {"abc", "", "1.5", "9223372036854775807", "-9223372036854775808", "100"});
    }

    private String floating() {
        return chance(40) ? (r.nextInt(41) - 20) + (chance(50) ? "" : "." + r.nextInt(100)) : pick(FLOATS);
    }

    private String score() {
        return chance(70) ? Integer.toString(r.nextInt(11) - 5) + (chance(20) ? ".5" : "") : pick(FLOATS);
    }

    private String upper(String option) {
        return chance(50) ? option.toUpperCase(Locale.ROOT) : option;
    }

    private List<String> cmd(String... parts) {
        return new ArrayList<>(Arrays.asList(parts));
    }

    private void repeat(List<String> c, int min, int max, Supplier<String> s) {
        int n = min + r.nextInt(max - min + 1);
        for (int i = 0; i < n; i++) {
            c.add(s.get());
        }
    }

    /** A relative TTL in seconds: hours ahead, or an invalid/past value now and then. */
    private String ttlSeconds() {
        int p = r.nextInt(100);
        if (p < 85) {
            return Integer.toString(3600 + r.nextInt(36_000));
        }
        return pick(new String[] {"0", "-5", "abc", "1.5", "9223372036854775807", "-9223372036854775808",
            "9223372036854775", "", "100000000000000000"});
    }

    private String ttlMillis() {
        int p = r.nextInt(100);
        if (p < 85) {
            return Long.toString(3_600_000L + r.nextInt(36_000_000));
        }
        return pick(new String[] {"0", "-5", "abc", "9223372036854775807", "-9223372036854775808", ""});
    }

    /** An absolute unix time in seconds: hours ahead, long past, or invalid. */
    private String atSeconds() {
        int p = r.nextInt(100);
        if (p < 75) {
            return Long.toString(nowSeconds + 3600 + r.nextInt(36_000));
        }
        if (p < 90) {
            return pick(new String[] {"1", "100", Long.toString(nowSeconds - 86_400)});
        }
        return pick(new String[] {"0", "-1", "abc", "9223372036854775807", "9223372036854775"});
    }

    private String atMillis() {
        int p = r.nextInt(100);
        if (p < 75) {
            return Long.toString((nowSeconds + 3600) * 1000 + r.nextInt(36_000_000));
        }
        if (p < 90) {
            return pick(new String[] {"1", "1000", Long.toString((nowSeconds - 86_400) * 1000)});
        }
        return pick(new String[] {"0", "-1", "abc", "9223372036854775807"});
    }

    /** Writes a value of family {@code f}'s type to a random key (and so makes WRONGTYPE likely). */
    private List<String> create(Family f) {
        String k = key();
        switch (f) {
            case HASHES:
                return cmd("hset", k, member(), value());
            case LISTS:
                return cmd("rpush", k, value(), value());
            case SETS:
                return cmd("sadd", k, member(), member());
            case ZSETS:
                return cmd("zadd", k, score(), member());
            default:
                return chance(20) ? cmd("set", k, value(), "ex", ttlSeconds()) : cmd("set", k, value());
        }
    }

    /** A SCAN-family option list ({@code COUNT}, {@code MATCH}, and for SCAN {@code TYPE}). */
    private void scanOptions(List<String> c, boolean type) {
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int p = r.nextInt(type ? 4 : 3);
            if (p == 0) {
                c.add(upper("match"));
                c.add(chance(60) ? pick(PATTERNS) : pick(MEMBERS) + "*");
            } else if (p == 1) {
                c.add(upper("count"));
                c.add(chance(80) ? Integer.toString(1 + r.nextInt(20)) : pick(new String[] {"0", "-1", "abc"}));
            } else if (p == 2) {
                c.add(chance(80) ? "bogus" : upper("count"));
            } else {
                c.add(upper("type"));
                c.add(pick(new String[] {"string", "hash", "list", "set", "zset", "none", "bogus", "STRING"}));
            }
        }
    }

    /** Cursor "0", or now and then one Redis refuses. */
    private String cursor() {
        return chance(92) ? "0" : pick(new String[] {"abc", "12x", " 1"});
    }

    // ---- strings --------------------------------------------------------------------------------

    private List<String> stringCommand() {
        String k = key();
        switch (r.nextInt(24)) {
            case 0:
            case 1:
                return cmd("get", k);
            case 2:
            case 3: {
                List<String> c = cmd("set", k, value());
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    switch (r.nextInt(9)) {
                        case 0 -> c.add(upper("nx"));
                        case 1 -> c.add(upper("xx"));
                        case 2 -> c.add(upper("get"));
                        case 3 -> c.add(upper("keepttl"));
                        case 4 -> c.addAll(List.of(upper("ex"), ttlSeconds()));
                        case 5 -> c.addAll(List.of(upper("px"), ttlMillis()));
                        case 6 -> c.addAll(List.of(upper("exat"), atSeconds()));
                        case 7 -> c.addAll(List.of(upper("pxat"), atMillis()));
                        default -> c.add(chance(50) ? "ex" : "bogus");
                    }
                }
                return c;
            }
            case 4:
                return cmd("setnx", k, value());
            case 5:
                return chance(50) ? cmd("setex", k, ttlSeconds(), value()) : cmd("psetex", k, ttlMillis(), value());
            case 6:
                return cmd("getset", k, value());
            case 7:
                return cmd("getdel", k);
            case 8: {
                List<String> c = cmd("getex", k);
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    switch (r.nextInt(6)) {
                        case 0 -> c.addAll(List.of(upper("ex"), ttlSeconds()));
                        case 1 -> c.addAll(List.of(upper("px"), ttlMillis()));
                        case 2 -> c.addAll(List.of(upper("exat"), atSeconds()));
                        case 3 -> c.addAll(List.of(upper("pxat"), atMillis()));
                        case 4 -> c.add(upper("persist"));
                        default -> c.add(chance(50) ? "ex" : "bogus");
                    }
                }
                return c;
            }
            case 9: {
                List<String> c = cmd("mget");
                repeat(c, 1, 4, this::key);
                return c;
            }
            case 10:
            case 11: {
                List<String> c = cmd(chance(70) ? "mset" : "msetnx");
                int n = 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    c.add(key());
                    c.add(value());
                }
                if (chance(5)) {
                    c.add(key());
                }
                return c;
            }
            case 12:
                return cmd("append", k, value());
            case 13:
                return cmd("strlen", k);
            case 14:
                return cmd(chance(50) ? "incr" : "decr", k);
            case 15:
            case 16:
                return cmd(chance(50) ? "incrby" : "decrby", k, integer());
            case 17:
            case 18:
                return cmd("incrbyfloat", k, floating());
            case 19:
            case 20:
                return cmd(chance(80) ? "getrange" : "substr", k, index(), index());
            case 21:
            case 22: {
                String offset = chance(85) ? Integer.toString(r.nextInt(40))
                        : pick(new String[] {"-1", "abc", "536870912", "536870911", "4294967296", "1000"});
                // A large offset only with an empty value or one that takes the result past
                // 512 MB: Redis refuses those without allocating.
                String v = offset.length() <= 4 ? value() : chance(50) ? "" : "xy" + value();
                return cmd("setrange", k, offset, v);
            }
            default:
                return cmd("lcs", k, key());
        }
    }

    // ---- generic key commands -------------------------------------------------------------------

    /** Key commands; {@code simple} restricts to the cheap ones every family run mixes in. */
    private List<String> keyCommand(boolean simple) {
        String k = key();
        int n = simple ? 4 : 22;
        switch (r.nextInt(n)) {
            case 0: {
                List<String> c = cmd(chance(80) ? "del" : "unlink");
                repeat(c, 1, 3, this::key);
                return c;
            }
            case 1: {
                List<String> c = cmd(chance(80) ? "exists" : "touch");
                repeat(c, 1, 4, this::key);
                return c;
            }
            case 2:
                return cmd("type", k);
            case 3:
                return cmd(pick(new String[] {"ttl", "pttl", "expiretime", "pexpiretime"}), k);
            case 4:
            case 5:
            case 6: {
                List<String> c;
                switch (r.nextInt(4)) {
                    case 0 -> c = cmd("expire", k, ttlSeconds());
                    case 1 -> c = cmd("pexpire", k, ttlMillis());
                    case 2 -> c = cmd("expireat", k, atSeconds());
                    default -> c = cmd("pexpireat", k, atMillis());
                }
                int opts = r.nextInt(10) < 6 ? 0 : 1 + r.nextInt(2);
                for (int i = 0; i < opts; i++) {
                    c.add(upper(pick(new String[] {"nx", "xx", "gt", "lt", "nx", "xx", "gt", "lt", "bogus"})));
                }
                return c;
            }
            case 7:
                return cmd("persist", k);
            case 8:
            case 9:
                return cmd(chance(70) ? "rename" : "renamenx", k, chance(10) ? k : key());
            case 10:
            case 11: {
                List<String> c = cmd("copy", k, key());
                if (chance(40)) {
                    c.add(upper("replace"));
                }
                if (chance(10)) {
                    c.addAll(List.of(upper("db"), pick(new String[] {"0", "abc", "-1"})));
                }
                if (chance(5)) {
                    c.add("bogus");
                }
                return c;
            }
            case 12:
            case 13:
            case 14: {
                List<String> c = cmd("scan", cursor());
                scanOptions(c, true);
                return c;
            }
            case 15:
            case 16:
                return cmd("keys", pick(PATTERNS));
            case 17:
                return cmd("dbsize");
            case 18:
                return chance(15) ? cmd("flushall", pick(new String[] {"sync", "async", "ASYNC", "bogus"}))
                        : cmd("randomkey");
            case 19:
                return cmd("ttl", k);
            case 20:
                return cmd("pttl", k);
            default:
                return cmd(pick(new String[] {"expiretime", "pexpiretime"}), k);
        }
    }

    // ---- hashes ---------------------------------------------------------------------------------

    private List<String> hashCommand() {
        String k = key();
        switch (r.nextInt(22)) {
            case 0:
            case 1:
            case 2: {
                List<String> c = cmd(chance(80) ? "hset" : "hmset", k);
                int n = chance(2) ? 150 : 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    c.add(n > 10 ? "f" + i : member());
                    c.add(value());
                }
                if (chance(4)) {
                    c.add(member());
                }
                return c;
            }
            case 3:
                return cmd("hsetnx", k, member(), value());
            case 4:
            case 5:
                return cmd("hget", k, member());
            case 6: {
                List<String> c = cmd("hmget", k);
                repeat(c, 1, 4, this::member);
                return c;
            }
            case 7:
            case 8: {
                List<String> c = cmd("hdel", k);
                repeat(c, 1, 3, this::member);
                return c;
            }
            case 9:
                return cmd("hlen", k);
            case 10:
                return cmd("hstrlen", k, member());
            case 11:
                return cmd("hexists", k, member());
            case 12:
                return cmd(pick(new String[] {"hkeys", "hvals", "hgetall"}), k);
            case 13:
            case 14:
                return cmd("hincrby", k, member(), integer());
            case 15:
            case 16:
                return cmd("hincrbyfloat", k, member(), floating());
            case 17:
            case 18: {
                List<String> c = cmd("hrandfield", k);
                if (chance(80)) {
                    c.add(chance(80) ? Integer.toString(r.nextInt(21) - 10) : pick(new String[] {"abc", "-9223372036854775808"}));
                    if (chance(50)) {
                        c.add(chance(90) ? upper("withvalues") : "bogus");
                    }
                }
                return c;
            }
            case 19:
            case 20: {
                List<String> c = cmd("hscan", k, cursor());
                scanOptions(c, false);
                return c;
            }
            default:
                return cmd("hgetall", k);
        }
    }

    // ---- lists ----------------------------------------------------------------------------------

    private List<String> listCommand() {
        String k = key();
        switch (r.nextInt(24)) {
            case 0:
            case 1:
            case 2: {
                List<String> c = cmd(pick(new String[] {"lpush", "rpush", "lpush", "rpush", "lpushx", "rpushx"}), k);
                if (chance(2)) {
                    for (int i = 0; i < 150; i++) {
                        c.add("e" + i);
                    }
                } else {
                    repeat(c, 1, 4, this::value);
                }
                return c;
            }
            case 3:
            case 4: {
                List<String> c = cmd(chance(50) ? "lpop" : "rpop", k);
                if (chance(40)) {
                    c.add(count());
                }
                return c;
            }
            case 5:
                return cmd("llen", k);
            case 6:
            case 7:
            case 8:
                return cmd("lrange", k, index(), index());
            case 9:
                return cmd("lindex", k, index());
            case 10:
                return cmd("lset", k, index(), value());
            case 11:
            case 12:
                return cmd("linsert", k, upper(pick(new String[] {"before", "after", "before", "after", "middle"})),
                        value(), value());
            case 13:
            case 14:
                return cmd("lrem", k, chance(80) ? Integer.toString(r.nextInt(7) - 3) : pick(INTS), value());
            case 15:
                return cmd("ltrim", k, index(), index());
            case 16:
            case 17: {
                List<String> c = cmd("lpos", k, value());
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    switch (r.nextInt(4)) {
                        case 0 -> c.addAll(List.of(upper("rank"), chance(80) ? Integer.toString(r.nextInt(7) - 3)
                                : pick(new String[] {"-9223372036854775808", "abc", "9223372036854775807"})));
                        case 1 -> c.addAll(List.of(upper("count"), chance(80) ? Integer.toString(r.nextInt(4))
                                : pick(new String[] {"-1", "abc"})));
                        case 2 -> c.addAll(List.of(upper("maxlen"), chance(80) ? Integer.toString(r.nextInt(6))
                                : pick(new String[] {"-1", "abc"})));
                        default -> c.add("bogus");
                    }
                }
                return c;
            }
            case 18:
            case 19:
            case 20: {
                String[] dirs = {"left", "right", "LEFT", "Right", "left", "right", "LEFT", "Right", "left", "middle"};
                return cmd("lmove", k, key(), r.nextInt(20) == 0 ? "up" : pick(dirs), pick(dirs));
            }
            case 21:
                return cmd("rpoplpush", k, chance(20) ? k : key());
            default:
                return cmd("lrange", k, "0", "-1");
        }
    }

    // ---- sets -----------------------------------------------------------------------------------

    private List<String> setCommand() {
        String k = key();
        switch (r.nextInt(26)) {
            case 0:
            case 1:
            case 2: {
                List<String> c = cmd("sadd", k);
                if (chance(3)) {
                    boolean numeric = chance(50);
                    for (int i = 0; i < (numeric ? 600 : 150); i++) {
                        c.add(numeric ? Integer.toString(i * 3) : "s" + i);
                    }
                } else {
                    repeat(c, 1, 4, this::member);
                }
                return c;
            }
            case 3:
            case 4: {
                List<String> c = cmd("srem", k);
                repeat(c, 1, 3, this::member);
                return c;
            }
            case 5:
                return cmd("sismember", k, member());
            case 6: {
                List<String> c = cmd("smismember", k);
                repeat(c, 1, 4, this::member);
                return c;
            }
            case 7:
                return cmd("scard", k);
            case 8:
            case 9:
                return cmd("smembers", k);
            case 10:
            case 11: {
                List<String> c = cmd("spop", k);
                if (chance(50)) {
                    c.add(count());
                }
                return c;
            }
            case 12:
            case 13: {
                List<String> c = cmd("srandmember", k);
                if (chance(70)) {
                    c.add(chance(85) ? Integer.toString(r.nextInt(21) - 10) : pick(new String[] {"abc", "0"}));
                }
                return c;
            }
            case 14:
            case 15:
                return cmd("smove", k, chance(15) ? k : key(), member());
            case 16:
            case 17: {
                List<String> c = cmd(pick(new String[] {"sinter", "sunion", "sdiff"}));
                repeat(c, 1, 3, this::key);
                return c;
            }
            case 18:
            case 19: {
                List<String> c = cmd(pick(new String[] {"sinterstore", "sunionstore", "sdiffstore"}), key());
                repeat(c, 1, 3, this::key);
                return c;
            }
            case 20:
            case 21: {
                int n = 1 + r.nextInt(3);
                List<String> c = cmd("sintercard", chance(85) ? Integer.toString(n) : pick(new String[] {"0", "-1", "abc", "5"}));
                for (int i = 0; i < n; i++) {
                    c.add(key());
                }
                if (chance(40)) {
                    c.add(upper("limit"));
                    c.add(chance(80) ? Integer.toString(r.nextInt(4)) : pick(new String[] {"-1", "abc"}));
                }
                return c;
            }
            case 22:
            case 23: {
                List<String> c = cmd("sscan", k, cursor());
                scanOptions(c, false);
                return c;
            }
            default:
                return cmd("smembers", k);
        }
    }

    // ---- sorted sets ----------------------------------------------------------------------------

    private void limit(List<String> c) {
        c.add(upper("limit"));
        c.add(chance(85) ? Integer.toString(r.nextInt(5) - 1) : pick(new String[] {"abc", "-5"}));
        c.add(chance(85) ? Integer.toString(r.nextInt(6) - 1) : pick(new String[] {"abc", "-5", "9223372036854775807"}));
    }

    /** {@code numkeys key...} with, now and then, a wrong numkeys. */
    private void numKeys(List<String> c) {
        int n = 1 + r.nextInt(3);
        c.add(chance(88) ? Integer.toString(n) : pick(new String[] {"0", "-1", "abc", "5"}));
        for (int i = 0; i < n; i++) {
            c.add(key());
        }
    }

    /** The sorted set the lexicographic commands mostly address: every score 0. */
    private static final String LEX_KEY = "{t}lex";

    private List<String> zsetCommand() {
        String k = key();
        int p = r.nextInt(100);
        if (p < 4) {
            return cmd("zadd", LEX_KEY, "0", member(), "0", member());
        }
        if (p < 6) {
            List<String> c = cmd("zrem", LEX_KEY);
            repeat(c, 1, 2, this::member);
            return c;
        }
        if (p < 14) {
            String[] lex = {"zlexcount", "zrangebylex", "zrevrangebylex", "zremrangebylex"};
            List<String> c = cmd(pick(lex), LEX_KEY, pick(LEX_BOUNDS), pick(LEX_BOUNDS));
            if (!c.get(0).equals("zlexcount") && !c.get(0).equals("zremrangebylex") && chance(30)) {
                limit(c);
            }
            return c;
        }
        if (p < 18) {
            List<String> c = cmd("zrange", LEX_KEY, pick(LEX_BOUNDS), pick(LEX_BOUNDS), upper("bylex"));
            if (chance(40)) {
                c.add(upper("rev"));
            }
            if (chance(40)) {
                limit(c);
            }
            return c;
        }
        switch (r.nextInt(40)) {
            case 0:
            case 1:
            case 2:
            case 3: {
                List<String> c = cmd("zadd", k);
                int opts = chance(60) ? 0 : 1 + r.nextInt(2);
                for (int i = 0; i < opts; i++) {
                    c.add(upper(pick(new String[] {"nx", "xx", "gt", "lt", "ch", "incr", "ch"})));
                }
                if (chance(2)) {
                    for (int i = 0; i < 150; i++) {
                        c.add(Integer.toString(i % 7));
                        c.add("z" + i);
                    }
                } else {
                    int n = 1 + r.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        c.add(score());
                        c.add(member());
                    }
                    if (chance(4)) {
                        c.add(score());
                    }
                }
                return c;
            }
            case 4:
            case 5:
                return cmd("zincrby", k, score(), member());
            case 6:
            case 7: {
                List<String> c = cmd("zrem", k);
                repeat(c, 1, 3, this::member);
                return c;
            }
            case 8:
                return cmd("zscore", k, member());
            case 9: {
                List<String> c = cmd("zmscore", k);
                repeat(c, 1, 3, this::member);
                return c;
            }
            case 10:
                return cmd("zcard", k);
            case 11:
                return cmd("zcount", k, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS));
            case 12:
                return cmd("zlexcount", k, pick(LEX_BOUNDS), pick(LEX_BOUNDS));
            case 13:
                return cmd(chance(50) ? "zrank" : "zrevrank", k, member());
            case 14:
            case 15:
            case 16:
            case 17: {
                boolean store = chance(20);
                List<String> c = store ? cmd("zrangestore", key(), k) : cmd("zrange", k);
                int mode = r.nextInt(3);
                if (mode == 0) {
                    c.add(index());
                    c.add(index());
                } else if (mode == 1) {
                    c.add(pick(SCORE_BOUNDS));
                    c.add(pick(SCORE_BOUNDS));
                    c.add(upper("byscore"));
                } else {
                    c.add(pick(LEX_BOUNDS));
                    c.add(pick(LEX_BOUNDS));
                    c.add(upper("bylex"));
                }
                if (chance(30)) {
                    c.add(upper("rev"));
                }
                if (chance(30)) {
                    limit(c);
                }
                if (!store && chance(40)) {
                    c.add(upper("withscores"));
                }
                if (chance(5)) {
                    c.add("bogus");
                }
                return c;
            }
            case 18: {
                List<String> c = cmd("zrevrange", k, index(), index());
                if (chance(40)) {
                    c.add(upper("withscores"));
                }
                return c;
            }
            case 19:
            case 20: {
                List<String> c = cmd(chance(50) ? "zrangebyscore" : "zrevrangebyscore", k, pick(SCORE_BOUNDS),
                        pick(SCORE_BOUNDS));
                if (chance(40)) {
                    c.add(upper("withscores"));
                }
                if (chance(30)) {
                    limit(c);
                }
                return c;
            }
            case 21:
            case 22: {
                List<String> c = cmd(chance(50) ? "zrangebylex" : "zrevrangebylex", k, pick(LEX_BOUNDS),
                        pick(LEX_BOUNDS));
                if (chance(30)) {
                    limit(c);
                }
                return c;
            }
            case 23:
            case 24: {
                List<String> c = cmd(chance(50) ? "zpopmin" : "zpopmax", k);
                if (chance(50)) {
                    c.add(count());
                }
                return c;
            }
            case 25:
                return cmd("zremrangebyrank", k, index(), index());
            case 26:
                return cmd("zremrangebyscore", k, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS));
            case 27:
                return cmd("zremrangebylex", k, pick(LEX_BOUNDS), pick(LEX_BOUNDS));
            case 28:
            case 29:
            case 30:
            case 31: {
                String op = pick(new String[] {"zunionstore", "zinterstore", "zdiffstore", "zunion", "zinter", "zdiff"});
                List<String> c = op.endsWith("store") ? cmd(op, key()) : cmd(op);
                numKeys(c);
                int n = 1 + r.nextInt(3);
                if (!op.startsWith("zdiff") && chance(30)) {
                    c.add(upper("weights"));
                    for (int i = 0; i < n; i++) {
                        c.add(chance(85) ? Integer.toString(r.nextInt(5) - 1) : pick(FLOATS));
                    }
                }
                if (!op.startsWith("zdiff") && chance(30)) {
                    c.add(upper("aggregate"));
                    c.add(upper(pick(new String[] {"sum", "min", "max", "avg"})));
                }
                if (!op.endsWith("store") && chance(40)) {
                    c.add(upper("withscores"));
                }
                return c;
            }
            case 32: {
                List<String> c = cmd("zintercard");
                numKeys(c);
                if (chance(40)) {
                    c.add(upper("limit"));
                    c.add(chance(80) ? Integer.toString(r.nextInt(4)) : pick(new String[] {"-1", "abc"}));
                }
                return c;
            }
            case 33:
            case 34: {
                List<String> c = cmd("zscan", k, cursor());
                scanOptions(c, false);
                return c;
            }
            case 35:
            case 36: {
                List<String> c = cmd("zrandmember", k);
                if (chance(80)) {
                    c.add(chance(85) ? Integer.toString(r.nextInt(21) - 10) : pick(new String[] {"abc", "-9223372036854775808"}));
                    if (chance(50)) {
                        c.add(chance(90) ? upper("withscores") : "bogus");
                    }
                }
                return c;
            }
            default:
                return cmd("zrange", k, "0", "-1", "withscores");
        }
    }
}
