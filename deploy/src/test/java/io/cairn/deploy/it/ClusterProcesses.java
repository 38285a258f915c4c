package io.cairn.deploy.it;

import static org.awaitility.Awaitility.await;

import io.cairn.deploy.Cairn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * End-to-end harness: runs cairn roles as child JVMs
 * ({@code java -cp <test classpath> io.cairn.deploy.Cairn ROLE --config FILE}), each with its
 * config file and log under one directory, and kills, restarts and stops them.
 *
 * <p>No leaked processes: {@link #close} (call it from {@code @AfterAll}/{@code @AfterEach})
 * kills every process this harness started, and a JVM shutdown hook kills whatever is still alive
 * if the test JVM exits without getting there.
 */
public final class ClusterProcesses implements AutoCloseable {
    /** Every child alive in this JVM, for the shutdown hook. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.destroyForcibly();
            }
        }, "cluster-processes-reaper"));
    }

    /** One named role process: what it runs, and its current JVM (null while stopped). */
    public static final class Role {
        private final String name;
        private final String role;
        private final Path config;
        private final Path log;
        private Process process;

        private Role(String name, String role, Path config, Path log) {
            this.name = name;
            this.role = role;
            this.config = config;
            this.log = log;
        }

        public String name() {
            return name;
        }

        public String role() {
            return role;
        }

        public Path config() {
            return config;
        }

        public Path log() {
            return log;
        }

        public synchronized boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** The current process, or null while stopped. */
        public synchronized Process process() {
            return process;
        }
    }

    private final Path dir;
    private final Path childTmp;
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final List<String> jvmOptions;

    /** A harness keeping configs, logs and the children's temp files under {@code dir}. */
    public ClusterProcesses(Path dir) {
        this.dir = dir;
        try {
            // The children's java.io.tmpdir is ours: a SIGKILLed JVM leaves the RocksDB native
            // library it extracted behind, and the test's temp dir removal takes it.
            this.childTmp = Files.createDirectories(dir.resolve("child-tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC",
                // C1 only: short-lived JVMs start faster and leave the 2 cores to the test
                "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + childTmp);
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code dir/NAME.properties} (overwriting it) and returns its path. */
    public Path writeConfig(String name, Properties p) {
        Path f = dir.resolve(name + ".properties");
        try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            p.store(w, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Starts {@code cairn ROLE --config CONFIG} as a child JVM named {@code name}; log in dir/NAME.log. */
    public synchronized Role start(String name, String role, Path config) {
        if (roles.containsKey(name)) {
            throw new IllegalStateException(name + " was started before; use restart");
        }
        Role r = new Role(name, role, config, dir.resolve(name + ".log"));
        roles.put(name, r);
        launch(r);
        return r;
    }

    /** Starts a stopped or killed role again with the same role and config (and data). */
    public synchronized Role restart(String name) {
        Role r = role(name);
        if (r.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch(r);
        return r;
    }

    private void launch(Role r) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Cairn.class.getName());
        cmd.add(r.role);
        cmd.add("--config");
        cmd.add(r.config.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(r.log.toFile()));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            synchronized (r) {
                r.process = p;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + r.name, e);
        }
    }

    public synchronized Role role(String name) {
        Role r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no role process named " + name);
        }
        return r;
    }

    /**
     * Waits until {@code ready} returns true (exceptions count as not ready), failing at once with
     * the process's log if it exits meanwhile, and with the log at the timeout.
     */
    public void awaitReady(String name, Duration timeout, Callable<Boolean> ready) {
        Role r = role(name);
        try {
            await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .failFast(name + " exited", () -> !r.isAlive())
                    .until(ready);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "\n---- log of " + name + ":\n" + log(name, 6000), e);
        }
    }

    /** SIGKILL: no shutdown hook, no close, no flush. Returns once the process is gone. */
    public void kill9(String name) {
        Process p = role(name).process();
        p.destroyForcibly();
        waitGone(name, p);
    }

    /** SIGTERM (a clean stop through the shutdown hook); returns the exit code. */
    public int stop(String name) {
        Process p = role(name).process();
        p.destroy();
        return waitGone(name, p);
    }

    private static int waitGone(String name, Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(name + " did not exit within 30 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The last {@code maxChars} of the role's log. */
    public String log(String name, int maxChars) {
        try {
            String s = Files.readString(role(name).log());
            return s.length() > maxChars ? s.substring(s.length() - maxChars) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The tails of every log, for failure messages. */
    public synchronized String logs() {
        StringBuilder sb = new StringBuilder();
        for (String name : roles.keySet()) {
            sb.append("---- ").append(name).append('\n').append(log(name, 4000)).append('\n');
        }
        return sb.toString();
    }

    /** Kills every process this harness started and waits for them to exit. */
    @Override
    public synchronized void close() {
        for (Role r : roles.values()) {
            Process p = r.process();
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Role r : roles.values()) {
            Process p = r.process();
            if (p != null) {
                try {
                    p.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
