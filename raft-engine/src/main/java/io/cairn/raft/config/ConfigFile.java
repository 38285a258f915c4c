package io.cairn.raft.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reading the {@code key=value} files of Cairn's node processes (store nodes, meta replicas):
 * java.util.Properties syntax, unknown keys refused (a typo must not fall back to a default
 * silently), and typed values whose errors name the key, the value and what was expected.
 */
public final class ConfigFile {
    private final Properties properties;
    private final String docs;

    private ConfigFile(Properties properties, String docs) {
        this.properties = properties;
        this.docs = docs;
    }

    /** Reads a file; {@code what} names it in errors ("store config"). */
    public static Properties read(Path file, String what) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + file, e);
        }
        return p;
    }

    /**
     * Wraps properties after checking that every key is in {@code keys} or accepted by
     * {@code patternKeys}; {@code docs} is the page that lists them ("docs/store-node.md").
     */
    public static ConfigFile of(Properties p, Set<String> keys, Predicate<String> patternKeys, String docs) {
        for (String k : p.stringPropertyNames()) {
            if (!keys.contains(k) && !patternKeys.test(k)) {
                throw new IllegalArgumentException("unknown config key '" + k + "' (see " + docs + ")");
            }
        }
        return new ConfigFile(p, docs);
    }

    public Properties properties() {
        return properties;
    }

    /** The trimmed value, or null when absent or blank. */
    public String optional(String key) {
        String v = properties.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public String required(String key) {
        String v = optional(key);
        if (v == null) {
            throw new IllegalArgumentException("config key '" + key + "' is required (see " + docs + ")");
        }
        return v;
    }

    /** A number &gt; 0; {@code dflt} null means required. */
    public long positiveLong(String key, Long dflt) {
        long n = longValue(key, dflt);
        if (n <= 0) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " (expected: > 0)");
        }
        return n;
    }

    /** A number &gt;= 0 (0 usually means "off"). */
    public long nonNegativeLong(String key, long dflt) {
        long n = longValue(key, dflt);
        if (n < 0) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " (expected: >= 0)");
        }
        return n;
    }

    public int port(String key) {
        long n = positiveLong(key, null);
        if (n > 65535) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " is not a port");
        }
        return (int) n;
    }

    /** A port 0..65535 that may be absent ({@code dflt}); 0 usually means "off". */
    public int optionalPort(String key, int dflt) {
        long n = nonNegativeLong(key, dflt);
        if (n > 65535) {
            throw new IllegalArgumentException("config key '" + key + "': " + n + " is not a port");
        }
        return (int) n;
    }

    private long longValue(String key, Long dflt) {
        String v = optional(key);
        if (v == null) {
            if (dflt == null) {
                throw new IllegalArgumentException("config key '" + key + "' is required (see " + docs + ")");
            }
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key '" + key + "': '" + v + "' is not a number");
        }
    }
}
