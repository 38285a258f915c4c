package io.cairn.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** SlowLog's entries against what redis-server 7.0.15 logs for the same commands. */
class SlowLogTest {

  private static byte[][] argv(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static List<String> strings(List<byte[]> l) {
    List<String> out = new ArrayList<>();
    l.forEach(b -> out.add(new String(b, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void moreThan32ArgumentsKeep31AndCountTheRest() {
    // redis-server: DEL a1..a34 (35 arguments) is logged as DEL a1..a30 "... (4 more arguments)".
    String[] a = new String[35];
    a[0] = "DEL";
    for (int i = 1; i < 35; i++) {
      a[i] = "a" + i;
    }
    List<String> trimmed = strings(SlowLog.trim(argv(a)));
    assertThat(trimmed).hasSize(32);
    assertThat(trimmed.get(30)).isEqualTo("a30");
    assertThat(trimmed.get(31)).isEqualTo("... (4 more arguments)");
    assertThat(strings(SlowLog.trim(argv(java.util.Arrays.copyOf(a, 32))))).hasSize(32)
        .endsWith("a31");
  }

  @Test
  void longArgumentsKeep128BytesAndSecretsAreRedacted() {
    String big = "z".repeat(129);
    assertThat(strings(SlowLog.trim(argv("SET", "k", big))))
        .containsExactly("SET", "k", "z".repeat(128) + "... (1 more bytes)");
    assertThat(strings(SlowLog.trim(argv("SET", "k", "z".repeat(128)))).get(2)).hasSize(128);
    assertThat(strings(SlowLog.trim(argv("auth", "default", "secret"))))
        .containsExactly("auth", "(redacted)", "(redacted)");
    assertThat(strings(SlowLog.trim(argv("HELLO", "2", "AUTH", "default", "x", "SETNAME", "n"))))
        .containsExactly("HELLO", "2", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n");
  }

  @Test
  void thresholdCapacityAndIdsBehaveAsRedis() {
    SlowLog log = new SlowLog(100, 3);
    log.record(argv("GET", "fast"), 99, "1.2.3.4:5", null);
    assertThat(log.length()).isZero();
    for (int i = 0; i < 5; i++) {
      log.record(argv("GET", "k" + i), 100 + i, "1.2.3.4:5", i == 4 ? "named" : null);
    }
    assertThat(log.length()).isEqualTo(3);
    List<SlowLog.Entry> all = log.get(-1);
    assertThat(all).extracting(SlowLog.Entry::id).containsExactly(4L, 3L, 2L);
    assertThat(all.get(0).durationMicros()).isEqualTo(104);
    assertThat(all.get(0).name()).isEqualTo("named");
    assertThat(all.get(1).name()).isEmpty();
    assertThat(log.get(1)).hasSize(1);
    log.reset();
    assertThat(log.length()).isZero();
    log.record(argv("PING"), 1000, "a", null);
    assertThat(log.get(10).get(0).id()).isEqualTo(5L); // ids keep counting after RESET
    log.setSlowerThanMicros(-1);
    log.record(argv("PING"), Long.MAX_VALUE, "a", null);
    assertThat(log.length()).isEqualTo(1);
  }

  @Test
  void concurrentRecordersGetDistinctIds() throws Exception {
    SlowLog log = new SlowLog(0, 10_000);
    int threads = 4;
    int each = 500;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          log.record(argv("PING"), 1, "a", null);
        }
      });
      th.start();
      ts.add(th);
    }
    go.countDown();
    for (Thread th : ts) {
      th.join(30_000);
    }
    assertThat(log.get(-1)).extracting(SlowLog.Entry::id).doesNotHaveDuplicates()
        .hasSize(threads * each);
  }
}
