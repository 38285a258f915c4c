package io.cairn.deploy.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program from the PATH ({@code redis-cli}, {@code redis-benchmark}, {@code script}) and
 * collects its output. A missing program skips the test, except under {@code CI=true} where it
 * fails it (CI must have Redis's tools).
 */
final class ExternalTool {
    /** What a finished run printed and returned. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private ExternalTool() {
    }

    /** The program's path, or the test is skipped (failed under CI=true). */
    static String require(String name) {
        String path = find(name);
        if (path == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(name + " not found on PATH (required when CI=true)");
            }
            assumeTrue(false, name + " not found on PATH: skipped");
        }
        return path;
    }

    /** The program's path, or null. */
    static String find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /**
     * Runs the command with {@code stdin} (a file, or nothing) and extra environment, waits at
     * most {@code timeoutSeconds} (then fails the test).
     */
    static Run run(List<String> command, Path stdin, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().putAll(env);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        if (stdin == null) {
            p.getOutputStream().close();
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command.get(0) + " did not finish in " + timeoutSeconds + " s: " + command);
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        // A thread per stream (not the common pool: on 2 cores it has one thread, and an undrained
        // stderr could block the program).
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "drain");
            t.setDaemon(true);
            t.start();
        });
    }
}
