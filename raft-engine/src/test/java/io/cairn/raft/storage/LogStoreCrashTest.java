package io.cairn.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.HardState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Design rule 5, "durable before acknowledged", against a real kill -9: a child JVM appends and
 * acknowledges (prints) each entry only after its commit completed; it is SIGKILLed mid-stream, and
 * every acknowledged entry must be on disk with its term and data. Also checks that each batch was
 * atomic: a group's hard state (written with its entry) matches its last entry exactly.
 */
class LogStoreCrashTest {

    private static final Pattern ACK = Pattern.compile("ack (\\d+) (\\d+) end");
    private static final int ACKS_BEFORE_KILL = 400;

    @TempDir
    Path tmp;

    @Test
    @Timeout(90)
    void everyAcknowledgedAppendSurvivesKill9() throws Exception {
        Path dir = tmp.resolve("log");
        Path stderr = tmp.resolve("child.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child's temp dir is ours: a SIGKILLed JVM cannot delete the RocksDB native library it
        // extracted there, and @TempDir does.
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Djava.io.tmpdir=" + childTmp,
                "-cp", System.getProperty("java.class.path"), AckingAppender.class.getName(), dir.toString());
        pb.redirectError(stderr.toFile());
        Process child = pb.start();
        TreeMap<Long, TreeSet<Long>> acked = new TreeMap<>();
        int acks = 0;
        boolean killed = false;
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) { // a line cut by the kill has no "end" and does not count
                    acked.computeIfAbsent(Long.parseLong(m.group(1)), g -> new TreeSet<>()).add(Long.parseLong(m.group(2)));
                    acks++;
                }
                if (!killed && acks >= ACKS_BEFORE_KILL) {
                    // SIGKILL: no shutdown hook, no close, no flush. Through the ProcessHandle, because
                    // Process.destroyForcibly() also closes our end of the pipe, and the acks the child
                    // printed before dying but we have not read yet must be checked too.
                    killed = child.toHandle().destroyForcibly();
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(20, TimeUnit.SECONDS);
        }
        assertThat(killed).as("child stopped before %d acks; stderr: %s", ACKS_BEFORE_KILL,
                Files.exists(stderr) ? Files.readString(stderr) : "").isTrue();
        assertThat(child.exitValue()).isNotZero();
        assertThat(acked.keySet()).containsExactly(1L, 2L, 3L, 4L);

        try (RocksLogStore store = RocksLogStore.open(RocksLogStoreConfig.defaults(dir))) {
            assertThat(store.groups()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
            for (long g = 1; g <= AckingAppender.GROUPS; g++) {
                GroupLogStorage log = store.group(g);
                long last = log.lastIndex();
                assertThat(last).as("group %d last index", g).isGreaterThanOrEqualTo(acked.get(g).last());
                for (long i : acked.get(g)) {
                    assertThat(log.term(i)).as("group %d term(%d)", g, i).isEqualTo(AckingAppender.term(i));
                    assertThat(log.entries(i, i + 1, Long.MAX_VALUE)).as("group %d entry %d", g, i)
                            .containsExactly(AckingAppender.entry(g, i));
                }
                // whatever else made it to disk is whole, and came with its batch's hard state
                List<Entry> all = log.entries(1, last + 1, Long.MAX_VALUE);
                assertThat(all).hasSize((int) last);
                for (Entry e : all) {
                    assertThat(e).isEqualTo(AckingAppender.entry(g, e.index()));
                }
                assertThat(log.initialState().hardState()).as("group %d hard state", g)
                        .isEqualTo(new HardState(AckingAppender.term(last), 1, last - 1));
            }
        }
    }
}
