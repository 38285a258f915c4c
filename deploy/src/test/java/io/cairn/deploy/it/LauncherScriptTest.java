package io.cairn.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./cairn} launcher's JVM command line (docs/deploy.md, "Garbage collector"): the
 * Parallel collector unless {@code CAIRN_JAVA_OPTS} names a collector, then the caller's options
 * and the jar. Runs the real script with {@code CAIRN_NO_BUILD=1} and a stand-in {@code java}
 * first on the PATH that prints the arguments it was given.
 */
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..", "cairn").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private String launch(String javaOpts) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "dev", "--port", "1");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("CAIRN_NO_BUILD", "1");
        if (javaOpts == null) {
            pb.environment().remove("CAIRN_JAVA_OPTS");
        } else {
            pb.environment().put("CAIRN_JAVA_OPTS", javaOpts);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theParallelCollectorUnlessTheOptionsNameOne() throws Exception {
        String jar = SCRIPT.getParent().resolve("deploy/target/cairn.jar").toString();
        assertThat(launch(null)).isEqualTo("-XX:+UseParallelGC -jar " + jar + " dev --port 1");
        assertThat(launch("-Xmx1g -Dx=y")).isEqualTo("-XX:+UseParallelGC -Xmx1g -Dx=y -jar " + jar + " dev --port 1");
        assertThat(launch("-Xmx1g -XX:+UseG1GC")).isEqualTo("-Xmx1g -XX:+UseG1GC -jar " + jar + " dev --port 1");
        assertThat(launch("-XX:+UseZGC")).isEqualTo("-XX:+UseZGC -jar " + jar + " dev --port 1");
        // options that merely start with -XX:+Use or end with GC name no collector
        assertThat(launch("-XX:+UseNUMA -XX:+PrintGC")).isEqualTo("-XX:+UseParallelGC -XX:+UseNUMA -XX:+PrintGC -jar "
                + jar + " dev --port 1");
    }
}
