package io.cairn.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.raft.core.Entry;
import io.cairn.store.types.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.PerfContext;
import org.rocksdb.PerfLevel;
import org.rocksdb.RocksDBException;

/**
 * What one applied SET costs RocksDB, counted, not timed (issue 5: apply threads spent most of
 * their time in memtable lookups and inserts). A SET of an existing key by a client with one
 * write in flight (the gateway sends {@code acked = seq - 1}) reads the key's record once (the
 * session header comes from the cache; SET hands the record it checked to the write instead of
 * looking it up again) and writes the record and the session header with the
 * reply inline: two memtable entries, plus the applied index once per batch. Counted with the
 * active memtable's entry count (nothing is flushed in this test) and RocksDB's per-thread
 * PerfContext (memtable lookups by Get; apply runs on the test thread).
 */
class ApplyCostTest {
    static final int N = 200;

    @TempDir
    Path dir;
    ReplicaFixture f;
    PerfContext perf;

    @BeforeEach
    void open() {
        f = new ReplicaFixture(dir, 5);
        f.db.rocks().setPerfLevel(PerfLevel.ENABLE_COUNT);
        perf = f.db.rocks().getPerfContext();
    }

    @AfterEach
    void close() {
        f.db.rocks().setPerfLevel(PerfLevel.DISABLE);
        f.close();
    }

    long memtableEntries() throws RocksDBException {
        return f.db.rocks().getLongProperty("rocksdb.num-entries-active-mem-table");
    }

    long memtableDeletes() throws RocksDBException {
        return f.db.rocks().getLongProperty("rocksdb.num-deletes-active-mem-table");
    }

    static StoreCommand set(long session, long seq, String key, String value) {
        return new StoreCommand(session, seq, seq - 1, 1_000 + seq,
                seq, new byte[][] {"set".getBytes(), key.getBytes(), value.getBytes()});
    }

    /** Creates keys k0..k(N-1) with session 1's writes 1..N; returns the next seq. */
    long createKeys() {
        for (int i = 0; i < N; i++) {
            assertThat(f.apply(set(1, i + 1, "k" + i, "first"))).isEqualTo(Reply.OK);
        }
        return N + 1;
    }

    @Test
    void aSetOfAnExistingKeyWritesTwoEntriesAndReadsOnce() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        long deletes = memtableDeletes();
        long lookups = f.sm.records().hits() + f.sm.records().misses();
        perf.reset();
        for (int i = 0; i < N; i++, seq++) {
            assertThat(f.apply(set(1, seq, "k" + i, "second"))).isEqualTo(Reply.OK);
        }
        long gets = perf.getFromMemtableCount();
        assertThat(f.sm.records().hits() + f.sm.records().misses() - lookups)
                .as("record cache lookups for %d SETs: the key's record once, the session header once", N)
                .isEqualTo(2L * N);
        assertThat(memtableEntries() - entries).as("memtable entries for %d SETs in %d batches", N, N)
                .isLessThanOrEqualTo(2L * N + N);
        assertThat(memtableDeletes() - deletes).as("no Delete: overwritten keys, inline replies").isZero();
        assertThat(gets).as("memtable Gets for %d SETs", N).isLessThanOrEqualTo(N);
        assertThat(f.sm.read(new byte[][] {"get".getBytes(), "k7".getBytes()}))
                .isEqualTo(new Reply.Bulk("second".getBytes()));
    }

    // one write batch writes each key once: the records, the session header once, the applied index
    @Test
    void aBatchOfSetsWritesEachRecordAndTheSessionHeaderAndTheAppliedIndexOnce() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        perf.reset();
        List<Entry> batch = new ArrayList<>();
        for (int i = 0; i < N; i++, seq++) {
            batch.add(f.entry(set(1, seq, "k" + i, "second")));
        }
        assertThat(f.sm.apply(batch)).hasSize(N).containsOnly(Reply.OK);
        assertThat(memtableEntries() - entries).isEqualTo(N + 2L);
        assertThat(perf.getFromMemtableCount()).isLessThanOrEqualTo(N);
    }

    // the same SETs as one Raft entry (the store batches a request's writes): one result per command
    @Test
    void aBatchEntryCostsTheSameAndAnswersEachCommand() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        List<StoreCommand> commands = new ArrayList<>();
        for (int i = 0; i < N; i++, seq++) {
            commands.add(set(1, seq, "k" + i, "second"));
        }
        assertThat(f.applyBatch(commands.toArray(StoreCommand[]::new))).hasSize(N).containsOnly(Reply.OK);
        assertThat(memtableEntries() - entries).isEqualTo(N + 2L);
        assertThat(f.sm.read(new byte[][] {"get".getBytes(), "k199".getBytes()}))
                .isEqualTo(new Reply.Bulk("second".getBytes()));
    }

    // a pipelining client: the replies of its writes in flight stay in its session header
    @Test
    void repliesWrittenAndAcknowledgedInOneBatchLeaveNoReplyRecord() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        long deletes = memtableDeletes();
        List<Entry> batch = new ArrayList<>();
        long acked = seq - 1;
        for (int i = 0; i < N; i++, seq++) {
            // 8 writes in flight: each acknowledges the write 8 before it
            batch.add(f.entry(new StoreCommand(1, seq, Math.max(acked, seq - 8), 1_000 + seq, seq,
                    new byte[][] {"set".getBytes(), ("k" + i).getBytes(), "third".getBytes()})));
        }
        assertThat(f.sm.apply(batch)).hasSize(N).containsOnly(Reply.OK);
        assertThat(memtableEntries() - entries).as("records, the header and the applied index, once each")
                .isEqualTo(N + 2L);
        assertThat(memtableDeletes() - deletes).isZero();
    }

    // the same client with one write per batch: a record and the header per write, no reply record
    @Test
    void pipelinedWritesInSeparateBatchesWriteTheRecordAndTheHeaderOnly() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        long deletes = memtableDeletes();
        long acked = seq - 1;
        for (int i = 0; i < N; i++, seq++) {
            assertThat(f.apply(new StoreCommand(1, seq, Math.max(acked, seq - 16), 1_000 + seq, seq,
                    new byte[][] {"set".getBytes(), ("k" + i).getBytes(), "third".getBytes()}))).isEqualTo(Reply.OK);
        }
        assertThat(memtableEntries() - entries).isEqualTo(3L * N);
        assertThat(memtableDeletes() - deletes).as("16 in flight fit the header: no record to delete").isZero();
    }

    // a session's seqs count across groups: acknowledging other groups' writes deletes nothing here
    @Test
    void acknowledgingOtherGroupsWritesWritesNoTombstone() throws RocksDBException {
        long seq = createKeys();
        long entries = memtableEntries();
        long deletes = memtableDeletes();
        for (int i = 0; i < N; i++, seq += 3) {
            // this group gets every third write of the session; the two between went to other groups
            assertThat(f.apply(set(1, seq, "k" + i, "fourth"))).isEqualTo(Reply.OK);
        }
        assertThat(memtableEntries() - entries).isEqualTo(3L * N);
        assertThat(memtableDeletes() - deletes).isZero();
    }

    // a cold cache (a restarted replica) costs one more Get for the session's first write only
    @Test
    void afterARestartTheSessionHeaderIsReadOnce() throws RocksDBException {
        long seq = createKeys();
        f.close();
        f = new ReplicaFixture(dir, 5);
        f.db.rocks().setPerfLevel(PerfLevel.ENABLE_COUNT);
        perf = f.db.rocks().getPerfContext();
        perf.reset();
        for (int i = 0; i < N; i++, seq++) {
            assertThat(f.apply(set(1, seq, "k" + i, "third"))).isEqualTo(Reply.OK);
        }
        assertThat(perf.getFromMemtableCount()).isLessThanOrEqualTo(N + 1);
    }
}
