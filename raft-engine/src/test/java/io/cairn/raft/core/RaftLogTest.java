package io.cairn.raft.core;

import static io.cairn.raft.core.RaftTestUtil.bytes;
import static io.cairn.raft.core.RaftTestUtil.ents;
import static io.cairn.raft.core.RaftTestUtil.termRange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The log: {@link RaftLog} (stable + unstable view), {@link UnstableLog} and {@link MemoryStorage}.
 * Raft §5.3 (log matching, consistency check, conflict truncation), §5.4.1 (up-to-date), §7 (log
 * compaction and snapshots). Ported from etcd-raft's log_test.go, log_unstable_test.go and
 * storage_test.go.
 */
class RaftLogTest {

    private static final long NO_LIMIT = RaftLog.NO_LIMIT;

    private static Snapshot snap(long index, long term) {
        return new Snapshot(new SnapshotMetadata(index, term, ConfState.EMPTY), null);
    }

    private static RaftLog newLog(MemoryStorage s) {
        return new RaftLog(s, NO_LIMIT);
    }

    /** A log with {@code previous} appended (unstable) on an empty storage. */
    private static RaftLog logWith(List<Entry> previous) {
        RaftLog l = newLog(new MemoryStorage());
        l.append(previous);
        return l;
    }

    private static void assertStorageError(Runnable r, StorageException.Kind kind) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    private static List<Long> termsOf(List<Entry> es) {
        return es.stream().map(Entry::term).toList();
    }

    // ================================================================== RaftLog

    @Nested
    @DisplayName("RaftLog")
    class RaftLogCases {

        static Stream<Arguments> conflicts() {
            return Stream.of(
                    Arguments.of(List.of(), 0L),
                    Arguments.of(ents(1, 1, 2, 3), 0L),
                    Arguments.of(ents(2, 2, 3), 0L),
                    Arguments.of(ents(3, 3), 0L),
                    Arguments.of(ents(1, 1, 2, 3, 4, 4), 4L),
                    Arguments.of(ents(2, 2, 3, 4, 5), 4L),
                    Arguments.of(ents(3, 3, 4, 4), 4L),
                    Arguments.of(ents(4, 4, 4), 4L),
                    Arguments.of(ents(1, 4, 4), 1L),
                    Arguments.of(ents(2, 1, 4, 4), 2L),
                    Arguments.of(ents(3, 1, 2, 4, 4), 3L));
        }

        @ParameterizedTest
        @MethodSource("conflicts")
        @DisplayName("§5.3: findConflict returns the first new entry whose term differs from ours (or that we"
                + " lack), 0 if"
                + " all match")
        void findConflict(List<Entry> ents, long want) {
            assertThat(logWith(ents(1, 1, 2, 3)).findConflict(ents)).isEqualTo(want);
        }

        static Stream<Arguments> conflictsByTerm() {
            long[] plain = {0, 2, 2, 5, 5, 5};
            long[] compacted = {3, 3, 3, 4, 4, 4}; // first is the snapshot at index 10
            return Stream.of(
                    Arguments.of(0L, plain, 100L, 2L, 100L), // unavailable
                    Arguments.of(0L, plain, 5L, 6L, 5L),
                    Arguments.of(0L, plain, 5L, 5L, 5L),
                    Arguments.of(0L, plain, 5L, 4L, 2L),
                    Arguments.of(0L, plain, 5L, 2L, 2L),
                    Arguments.of(0L, plain, 5L, 1L, 0L),
                    Arguments.of(0L, plain, 1L, 2L, 1L),
                    Arguments.of(0L, plain, 1L, 1L, 0L),
                    Arguments.of(0L, plain, 0L, 0L, 0L),
                    Arguments.of(10L, compacted, 30L, 3L, 30L), // unavailable
                    Arguments.of(10L, compacted, 14L, 9L, 14L),
                    Arguments.of(10L, compacted, 14L, 4L, 14L),
                    Arguments.of(10L, compacted, 14L, 3L, 12L),
                    Arguments.of(10L, compacted, 14L, 2L, 9L),
                    Arguments.of(10L, compacted, 11L, 5L, 11L),
                    Arguments.of(10L, compacted, 10L, 5L, 10L),
                    Arguments.of(10L, compacted, 10L, 3L, 10L),
                    Arguments.of(10L, compacted, 10L, 2L, 9L),
                    Arguments.of(10L, compacted, 9L, 2L, 9L), // compacted
                    Arguments.of(10L, compacted, 4L, 2L, 4L), // compacted
                    Arguments.of(10L, compacted, 0L, 0L, 0L));
        }

        @ParameterizedTest
        @MethodSource("conflictsByTerm")
        @DisplayName("§5.3 (fast backtracking): findConflictByTerm returns the last index at or below the given one"
                + " whose"
                + " term is <= the given term, with its term (0 when unknown)")
        void findConflictByTerm(long snapIndex, long[] terms, long index, long term, long want) {
            MemoryStorage st = new MemoryStorage();
            if (snapIndex != 0) {
                st.applySnapshot(snap(snapIndex, terms[0]));
            }
            RaftLog l = newLog(st);
            long[] rest = java.util.Arrays.copyOfRange(terms, 1, terms.length);
            l.append(ents(snapIndex + 1, rest));
            long[] got = l.findConflictByTerm(index, term);
            assertThat(got[0]).isEqualTo(want);
            assertThat(got[1]).isEqualTo(l.termOrZero(want));
        }

        static Stream<Arguments> upToDate() {
            return Stream.of(
                    // greater term wins regardless of index
                    Arguments.of(2L, 4L, true), Arguments.of(3L, 4L, true), Arguments.of(4L, 4L, true),
                    // smaller term loses regardless of index
                    Arguments.of(2L, 2L, false), Arguments.of(3L, 2L, false), Arguments.of(4L, 2L, false),
                    // equal term: longer or equal wins
                    Arguments.of(2L, 3L, false), Arguments.of(3L, 3L, true), Arguments.of(4L, 3L, true));
        }

        @ParameterizedTest
        @MethodSource("upToDate")
        @DisplayName("§5.4.1: a log is at least as up-to-date if its last term is greater, or equal with an index"
                + " at least"
                + " as large")
        void isUpToDate(long lastIndex, long term, boolean want) {
            assertThat(logWith(ents(1, 1, 2, 3)).isUpToDate(lastIndex, term)).isEqualTo(want);
        }

        static Stream<Arguments> appends() {
            return Stream.of(
                    Arguments.of(List.of(), 2L, List.of(1L, 2L), 3L),
                    Arguments.of(ents(3, 2), 3L, List.of(1L, 2L, 2L), 3L),
                    Arguments.of(ents(1, 2), 1L, List.of(2L), 1L), // conflicts with index 1
                    Arguments.of(ents(2, 3, 3), 3L, List.of(1L, 3L, 3L), 2L)); // conflicts with index 2
        }

        @ParameterizedTest
        @MethodSource("appends")
        @DisplayName("§5.3: append truncates the log at the first appended index and returns the new last index")
        void append(List<Entry> ents, long wantIndex, List<Long> wantTerms, long wantUnstable) {
            MemoryStorage s = new MemoryStorage();
            s.append(ents(1, 1, 2));
            RaftLog l = newLog(s);
            assertThat(l.append(ents)).isEqualTo(wantIndex);
            assertThat(termsOf(l.entries(1, NO_LIMIT))).isEqualTo(wantTerms);
            assertThat(l.unstable.offset).isEqualTo(wantUnstable);
        }

        @Test
        @DisplayName("§5.4: append refuses to overwrite committed entries")
        void appendBelowCommitRefused() {
            RaftLog l = logWith(ents(1, 1, 2, 3));
            l.commitTo(2);
            assertThatThrownBy(() -> l.append(ents(2, 4))).isInstanceOf(IllegalStateException.class);
        }

        static Stream<Arguments> maybeAppends() {
            long li = 3;
            long lt = 3;
            // prevIndex, prevTerm, leaderCommit, ents -> lastNew (-1 = refused), commit, throws
            return Stream.of(
                    // not match: term differs / index out of bound
                    Arguments.of(li, lt - 1, li, ents(li + 1, 4), -1L, 1L, false),
                    Arguments.of(li + 1, lt, li, ents(li + 2, 4), -1L, 1L, false),
                    // match the last entry
                    Arguments.of(li, lt, li, List.of(), li, li, false),
                    Arguments.of(li, lt, li + 1, List.of(), li, li, false), // commit <= last new
                    Arguments.of(li, lt, li - 1, List.of(), li, li - 1, false),
                    Arguments.of(li, lt, 0L, List.of(), li, 1L, false), // commit never decreases
                    Arguments.of(0L, 0L, li, List.of(), 0L, 1L, false),
                    Arguments.of(li, lt, li, ents(li + 1, 4), li + 1, li, false),
                    Arguments.of(li, lt, li + 1, ents(li + 1, 4), li + 1, li + 1, false),
                    Arguments.of(li, lt, li + 2, ents(li + 1, 4), li + 1, li + 1, false),
                    Arguments.of(li, lt, li + 2, ents(li + 1, 4, 4), li + 2, li + 2, false),
                    // match an entry in the middle
                    Arguments.of(li - 1, lt - 1, li, ents(li, 4), li, li, false),
                    Arguments.of(li - 2, lt - 2, li, ents(li - 1, 4), li - 1, li - 1, false),
                    Arguments.of(li - 3, lt - 3, li, ents(li - 2, 4), li - 2, li - 2, true), // conflicts with committed
                    Arguments.of(li - 2, lt - 2, li, ents(li - 1, 4, 4), li, li, false));
        }

        @ParameterizedTest
        @MethodSource("maybeAppends")
        @DisplayName("§5.3: maybeAppend accepts entries only after a matching (index, term); it deletes a conflicting"
                + " suffix, appends what is new and commits up to min(leaderCommit, last new index)")
        void maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents, long wantLast,
                         long wantCommit, boolean wantThrow) {
            RaftLog l = logWith(ents(1, 1, 2, 3));
            l.committed = 1;
            if (wantThrow) {
                assertThatThrownBy(() -> l.maybeAppend(prevIndex, prevTerm, leaderCommit, ents))
                        .isInstanceOf(IllegalStateException.class);
                return;
            }
            assertThat(l.maybeAppend(prevIndex, prevTerm, leaderCommit, ents)).isEqualTo(wantLast);
            assertThat(l.committed).isEqualTo(wantCommit);
            if (wantLast >= 0 && !ents.isEmpty()) {
                assertThat(l.slice(l.lastIndex() - ents.size() + 1, l.lastIndex() + 1, NO_LIMIT)).isEqualTo(ents);
            }
        }

        @Test
        @DisplayName("§7: after the storage compacts, terms, matching, unstable entries and appends keep working")
        void compactionSideEffects() {
            long lastIndex = 1000;
            long unstableIndex = 750;
            MemoryStorage s = new MemoryStorage();
            s.append(termRange(1, 1, unstableIndex + 1));
            RaftLog l = newLog(s);
            l.append(termRange(unstableIndex + 1, unstableIndex + 1, lastIndex + 1));
            assertThat(l.maybeCommit(lastIndex, lastIndex)).isTrue();
            l.appliedTo(l.committed);

            long offset = 500;
            s.compact(offset);
            assertThat(l.lastIndex()).isEqualTo(lastIndex);
            for (long j = offset; j <= l.lastIndex(); j++) {
                assertThat(l.term(j)).isEqualTo(j);
                assertThat(l.matchTerm(j, j)).isTrue();
            }
            List<Entry> unstable = l.unstableEntries();
            assertThat(unstable).hasSize(250);
            assertThat(unstable.get(0).index()).isEqualTo(751);

            long prev = l.lastIndex();
            l.append(List.of(Entry.normal(prev + 1, prev + 1, null)));
            assertThat(l.lastIndex()).isEqualTo(prev + 1);
            assertThat(l.entries(l.lastIndex(), NO_LIMIT)).hasSize(1);
            assertThat(l.entries(l.lastIndex() + 1, NO_LIMIT)).isEmpty();
        }

        private RaftLog committedLog(long maxNextSize) {
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(3, 1));
            List<Entry> es = List.of(Entry.normal(1, 4, bytes("aaaa")), Entry.normal(1, 5, bytes("bbbb")),
                    Entry.normal(1, 6, bytes("cccc")));
            s.append(es.subList(0, 1));
            RaftLog l = new RaftLog(s, maxNextSize);
            l.append(es);
            l.stableTo(4, 1);
            l.maybeCommit(5, 1);
            return l;
        }

        @Test
        @DisplayName("§5.3: committed entries are handed out for applying once, from applied+1 to the commit index")
        void nextEntries() {
            for (long[] c : new long[][] {{3, 4, 5}, {4, 5}, {5}}) {
                RaftLog l = committedLog(NO_LIMIT);
                l.appliedTo(c[0]);
                List<Long> want = new ArrayList<>();
                for (int i = 1; i < c.length; i++) {
                    want.add(c[i]);
                }
                assertThat(l.nextEntries()).extracting(Entry::index).isEqualTo(want);
                assertThat(l.hasNextEntries()).isEqualTo(!want.isEmpty());
            }
            // A pending snapshot: nothing to apply from the log until it is installed.
            RaftLog l = committedLog(NO_LIMIT);
            l.appliedTo(3);
            l.restore(snap(6, 1));
            assertThat(l.hasNextEntries()).isFalse();
            assertThat(l.nextEntries()).isEmpty();
            assertThat(l.hasPendingSnapshot()).isTrue();
        }

        @Test
        @DisplayName("§5.3: nextEntries respects maxCommittedSizePerReady but always returns at least one entry")
        void nextEntriesSizeLimit() {
            long one = Entry.normal(1, 4, bytes("aaaa")).sizeBytes();
            for (long[] c : new long[][] {{0, 1}, {one - 1, 1}, {one, 1}, {2 * one - 1, 1}, {2 * one, 2},
                    {NO_LIMIT, 2}}) {
                RaftLog l = committedLog(c[0] == 0 ? 1 : c[0]);
                l.appliedTo(3);
                assertThat(l.nextEntries()).as("limit %d", c[0]).hasSize((int) c[1]);
            }
            // paging through: after applying the first page the rest comes
            RaftLog l = committedLog(one);
            l.appliedTo(3);
            assertThat(l.nextEntries()).extracting(Entry::index).containsExactly(4L);
            l.appliedTo(4);
            assertThat(l.nextEntries()).extracting(Entry::index).containsExactly(5L);
            l.appliedTo(5);
            assertThat(l.hasNextEntries()).isFalse();
        }

        @Test
        @DisplayName("§5.3: unstableEntries hands out the entries not yet persisted; stableTo drops them from the"
                + " unstable"
                + " log")
        void unstableEntries() {
            List<Entry> previous = ents(1, 1, 2);
            for (int unstable : new int[] {3, 1}) {
                MemoryStorage s = new MemoryStorage();
                s.append(previous.subList(0, unstable - 1));
                RaftLog l = newLog(s);
                l.append(previous.subList(unstable - 1, previous.size()));
                List<Entry> got = l.unstableEntries();
                if (!got.isEmpty()) {
                    Entry last = got.get(got.size() - 1);
                    l.stableTo(last.index(), last.term());
                }
                assertThat(got).isEqualTo(previous.subList(unstable - 1, previous.size()));
                assertThat(l.unstable.offset).isEqualTo(3);
                assertThat(l.unstableEntries()).isEmpty();
            }
        }

        @Test
        @DisplayName("§5.4: the commit index never decreases and never exceeds the last index")
        void commitTo() {
            RaftLog l = logWith(ents(1, 1, 2, 3));
            l.committed = 2;
            l.commitTo(3);
            assertThat(l.committed).isEqualTo(3);
            l.commitTo(1);
            assertThat(l.committed).isEqualTo(3);
            assertThatThrownBy(() -> l.commitTo(4)).isInstanceOf(IllegalStateException.class);
            assertThat(l.committed).isEqualTo(3);
        }

        @Test
        @DisplayName("§5.3: applied never passes committed nor goes back; 0 means unknown and is ignored")
        void appliedTo() {
            RaftLog l = logWith(ents(1, 1, 2, 3));
            l.commitTo(2);
            l.appliedTo(0);
            assertThat(l.applied).isZero();
            l.appliedTo(2);
            assertThat(l.applied).isEqualTo(2);
            assertThatThrownBy(() -> l.appliedTo(3)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> l.appliedTo(1)).isInstanceOf(IllegalStateException.class);
        }

        static Stream<Arguments> stableTos() {
            return Stream.of(
                    Arguments.of(1L, 1L, 2L),
                    Arguments.of(2L, 2L, 3L),
                    Arguments.of(2L, 1L, 1L), // bad term
                    Arguments.of(3L, 1L, 1L)); // bad index
        }

        @ParameterizedTest
        @MethodSource("stableTos")
        @DisplayName("§5.3: stableTo marks entries persisted only if (index, term) is still in the unstable log")
        void stableTo(long index, long term, long wantOffset) {
            RaftLog l = logWith(ents(1, 1, 2));
            l.stableTo(index, term);
            assertThat(l.unstable.offset).isEqualTo(wantOffset);
        }

        static Stream<Arguments> stableTosWithSnap() {
            long si = 5;
            long st = 2;
            return Stream.of(
                    Arguments.of(si + 1, st, List.of(), si + 1),
                    Arguments.of(si, st, List.of(), si + 1),
                    Arguments.of(si - 1, st, List.of(), si + 1),
                    Arguments.of(si + 1, st + 1, List.of(), si + 1),
                    Arguments.of(si, st + 1, List.of(), si + 1),
                    Arguments.of(si - 1, st + 1, List.of(), si + 1),
                    Arguments.of(si + 1, st, ents(si + 1, st), si + 2),
                    Arguments.of(si, st, ents(si + 1, st), si + 1),
                    Arguments.of(si - 1, st, ents(si + 1, st), si + 1),
                    Arguments.of(si + 1, st + 1, ents(si + 1, st), si + 1),
                    Arguments.of(si, st + 1, ents(si + 1, st), si + 1),
                    Arguments.of(si - 1, st + 1, ents(si + 1, st), si + 1));
        }

        @ParameterizedTest
        @MethodSource("stableTosWithSnap")
        @DisplayName("§7: stableTo after a snapshot ignores indexes at or below the snapshot")
        void stableToWithSnap(long index, long term, List<Entry> newEnts, long wantOffset) {
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(5, 2));
            RaftLog l = newLog(s);
            l.append(newEnts);
            l.stableTo(index, term);
            assertThat(l.unstable.offset).isEqualTo(wantOffset);
        }

        @Test
        @DisplayName("§7: compaction removes entries from the front; compacting past the end or below the first"
                + " index is"
                + " an error")
        void compaction() {
            MemoryStorage s = new MemoryStorage();
            s.append(termRange(1, 1, 1001));
            RaftLog l = newLog(s);
            l.maybeCommit(1000, 0); // a no-op: entry 1000 is not of term 0
            assertThat(l.committed).isZero();
            assertThatThrownBy(() -> s.compact(1001)).isInstanceOf(IllegalArgumentException.class);
            long[][] steps = {{300, 700}, {500, 500}, {800, 200}, {900, 100}};
            for (long[] st : steps) {
                s.compact(st[0]);
                assertThat(l.lastIndex() - l.firstIndex() + 1).isEqualTo(st[1]);
            }
            assertStorageError(() -> s.compact(899), StorageException.Kind.COMPACTED);
            assertStorageError(() -> s.compact(900), StorageException.Kind.COMPACTED);
        }

        @Test
        @DisplayName("§7: a log started from a snapshot begins right after it, with the snapshot's index committed")
        void restoreFromStorageSnapshot() {
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(1000, 1000));
            RaftLog l = newLog(s);
            assertThat(l.lastIndex() - l.firstIndex() + 1).isZero();
            assertThat(l.firstIndex()).isEqualTo(1001);
            assertThat(l.committed).isEqualTo(1000);
            assertThat(l.applied).isEqualTo(1000);
            assertThat(l.unstable.offset).isEqualTo(1001);
            assertThat(l.term(1000)).isEqualTo(1000);
            assertThat(l.lastTerm()).isEqualTo(1000);
        }

        @Test
        @DisplayName("§7: restoring a received snapshot replaces the log, commits its index and is held until"
                + " persisted")
        void restoreSnapshot() {
            RaftLog l = logWith(ents(1, 1, 1, 1));
            Snapshot sn = snap(10, 3);
            l.restore(sn);
            assertThat(l.committed).isEqualTo(10);
            assertThat(l.firstIndex()).isEqualTo(11);
            assertThat(l.lastIndex()).isEqualTo(10);
            assertThat(l.lastTerm()).isEqualTo(3);
            assertThat(l.hasPendingSnapshot()).isTrue();
            assertThat(l.snapshot()).isSameAs(sn);
            assertThat(l.unstableEntries()).isEmpty();
            l.stableSnapTo(9);
            assertThat(l.hasPendingSnapshot()).isTrue();
            l.stableSnapTo(10);
            assertThat(l.hasPendingSnapshot()).isFalse();
            assertThat(l.snapshot()).isEqualTo(l.storage.snapshot());
        }

        @Test
        @DisplayName("§7: slice bounds: below the first index is COMPACTED; an inverted range or beyond the last"
                + " index is"
                + " a programming error")
        void sliceBounds() {
            long offset = 100;
            long num = 100;
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(offset, 0));
            RaftLog l = newLog(s);
            l.append(termRange(offset + 1, offset + 1, offset + num + 1));
            long first = offset + 1;
            assertStorageError(() -> l.slice(first - 2, first + 1, NO_LIMIT), StorageException.Kind.COMPACTED);
            assertStorageError(() -> l.slice(first - 1, first + 1, NO_LIMIT), StorageException.Kind.COMPACTED);
            assertThat(l.slice(first, first, NO_LIMIT)).isEmpty();
            assertThat(l.slice(first + num / 2, first + num / 2, NO_LIMIT)).isEmpty();
            assertThat(l.slice(first + num - 1, first + num - 1, NO_LIMIT)).isEmpty();
            assertThat(l.slice(first + num, first + num, NO_LIMIT)).isEmpty();
            assertThatThrownBy(() -> l.slice(first + num, first + num + 1, NO_LIMIT))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> l.slice(first + num + 1, first + num + 1, NO_LIMIT))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> l.slice(first + 1, first, NO_LIMIT)).isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("§5.3 / §7: term(i) is known from the snapshot index to the last index; COMPACTED below,"
                + " UNAVAILABLE above")
        void term() {
            long offset = 100;
            long num = 100;
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(offset, 1));
            RaftLog l = newLog(s);
            l.append(termRange(offset + 1, 1, num));
            assertStorageError(() -> l.term(offset - 1), StorageException.Kind.COMPACTED);
            assertThat(l.term(offset)).isEqualTo(1);
            assertThat(l.term(offset + num / 2)).isEqualTo(num / 2);
            assertThat(l.term(offset + num - 1)).isEqualTo(num - 1);
            assertStorageError(() -> l.term(offset + num), StorageException.Kind.UNAVAILABLE);
            assertThat(l.termOrZero(offset - 1)).isZero();
            assertThat(l.termOrZero(offset + num)).isZero();
            assertThat(l.matchTerm(offset + num, 0)).isFalse();
        }

        @Test
        @DisplayName("§7: with a received (unstable) snapshot, term(i) is known only at its index; the gap to the"
                + " stored"
                + " log is COMPACTED")
        void termWithUnstableSnapshot() {
            long storageSnap = 100;
            long unstableSnap = storageSnap + 5;
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(storageSnap, 1));
            RaftLog l = newLog(s);
            l.restore(snap(unstableSnap, 1));
            assertStorageError(() -> l.term(storageSnap), StorageException.Kind.COMPACTED);
            assertStorageError(() -> l.term(storageSnap + 1), StorageException.Kind.COMPACTED);
            assertStorageError(() -> l.term(unstableSnap - 1), StorageException.Kind.COMPACTED);
            assertThat(l.term(unstableSnap)).isEqualTo(1);
            assertStorageError(() -> l.term(unstableSnap + 1), StorageException.Kind.UNAVAILABLE);
        }

        static Stream<Arguments> slices() {
            long offset = 100;
            long num = 100;
            long last = offset + num;
            long half = offset + num / 2;
            long sz = Entry.OVERHEAD_BYTES; // every entry here is empty
            return Stream.of(
                    // no limit
                    Arguments.of(offset + 1, offset + 1, NO_LIMIT, offset + 1, offset + 1),
                    Arguments.of(offset + 1, half - 1, NO_LIMIT, offset + 1, half - 1),
                    Arguments.of(offset + 1, half, NO_LIMIT, offset + 1, half),
                    Arguments.of(offset + 1, half + 1, NO_LIMIT, offset + 1, half + 1),
                    Arguments.of(offset + 1, last, NO_LIMIT, offset + 1, last),
                    Arguments.of(half - 1, half, NO_LIMIT, half - 1, half),
                    Arguments.of(half - 1, half + 1, NO_LIMIT, half - 1, half + 1),
                    Arguments.of(half - 1, last, NO_LIMIT, half - 1, last),
                    Arguments.of(half, half + 1, NO_LIMIT, half, half + 1),
                    Arguments.of(half, last, NO_LIMIT, half, last),
                    Arguments.of(last - 1, last, NO_LIMIT, last - 1, last),
                    // at least one entry is always returned
                    Arguments.of(offset + 1, last, 0L, offset + 1, offset + 2),
                    Arguments.of(half - 1, half + 1, 0L, half - 1, half),
                    Arguments.of(half, last, 0L, half, half + 1),
                    Arguments.of(half + 1, last, 0L, half + 1, half + 2),
                    // low limit
                    Arguments.of(offset + 1, last, sz - 1, offset + 1, offset + 2),
                    Arguments.of(half - 1, half + 1, sz - 1, half - 1, half),
                    Arguments.of(half, last, sz - 1, half, half + 1),
                    // just enough for one
                    Arguments.of(offset + 1, last, sz, offset + 1, offset + 2),
                    Arguments.of(half - 1, half + 1, sz, half - 1, half),
                    Arguments.of(half, last, sz, half, half + 1),
                    // not enough for two
                    Arguments.of(offset + 1, last, sz + 1, offset + 1, offset + 2),
                    Arguments.of(half - 1, half + 1, sz + 1, half - 1, half),
                    Arguments.of(half, last, sz + 1, half, half + 1),
                    // enough for two (across the stable/unstable boundary too)
                    Arguments.of(offset + 1, last, sz * 2, offset + 1, offset + 3),
                    Arguments.of(half - 2, half + 1, sz * 2, half - 2, half),
                    Arguments.of(half - 1, half + 1, sz * 2, half - 1, half + 1),
                    Arguments.of(half, last, sz * 2, half, half + 2),
                    // not enough for three / enough for three
                    Arguments.of(half - 2, half + 1, sz * 3 - 1, half - 2, half),
                    Arguments.of(half - 1, half + 2, sz * 3, half - 1, half + 2));
        }

        @ParameterizedTest
        @MethodSource("slices")
        @DisplayName("§5.3: slice returns [lo, hi) across stable and unstable entries, cut to the byte limit but"
                + " with at"
                + " least one entry")
        void slice(long lo, long hi, long limit, long wantLo, long wantHi) {
            long offset = 100;
            long half = 150;
            long last = 200;
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(snap(offset, 0));
            s.append(termRange(offset + 1, offset + 1, half));
            RaftLog l = newLog(s);
            l.append(termRange(half, half, last));
            assertThat(l.slice(lo, hi, limit)).isEqualTo(termRange(wantLo, wantLo, wantHi));
        }

        @Test
        @DisplayName("§5.4.2: maybeCommit commits only an index of the given term (and only forward)")
        void maybeCommit() {
            RaftLog l = logWith(ents(1, 1, 2, 2));
            assertThat(l.maybeCommit(2, 1)).isFalse();
            assertThat(l.maybeCommit(1, 1)).isTrue();
            assertThat(l.committed).isEqualTo(1);
            assertThat(l.maybeCommit(1, 1)).isFalse();
            assertThat(l.maybeCommit(3, 2)).isTrue();
            assertThat(l.committed).isEqualTo(3);
            assertThat(l.maybeCommit(9, 2)).as("beyond the log: unknown term").isFalse();
        }

        @Test
        @DisplayName("§5.3: the log needs a storage; its description names the pointers")
        void constructionAndToString() {
            assertThatThrownBy(() -> new RaftLog(null, NO_LIMIT)).isInstanceOf(IllegalArgumentException.class);
            assertThat(logWith(ents(1, 1)).toString()).contains("committed=0").contains("unstable.offset=1");
        }
    }

    // ================================================================== UnstableLog

    @Nested
    @DisplayName("UnstableLog")
    class UnstableCases {

        private UnstableLog unstable(List<Entry> es, long offset, Snapshot snap) {
            UnstableLog u = new UnstableLog(offset);
            u.entries.addAll(es);
            u.snapshot = snap;
            return u;
        }

        @Test
        @DisplayName("§7: the unstable log knows its first index only when it holds a snapshot")
        void maybeFirstIndex() {
            assertThat(unstable(ents(5, 1), 5, null).maybeFirstIndex()).isEqualTo(UnstableLog.UNKNOWN);
            assertThat(unstable(List.of(), 0, null).maybeFirstIndex()).isEqualTo(UnstableLog.UNKNOWN);
            assertThat(unstable(ents(5, 1), 5, snap(4, 1)).maybeFirstIndex()).isEqualTo(5);
            assertThat(unstable(List.of(), 5, snap(4, 1)).maybeFirstIndex()).isEqualTo(5);
        }

        @Test
        @DisplayName("§7: the unstable last index is that of its last entry, else of its snapshot, else unknown")
        void maybeLastIndex() {
            assertThat(unstable(ents(5, 1), 5, null).maybeLastIndex()).isEqualTo(5);
            assertThat(unstable(ents(5, 1), 5, snap(4, 1)).maybeLastIndex()).isEqualTo(5);
            assertThat(unstable(List.of(), 5, snap(4, 1)).maybeLastIndex()).isEqualTo(4);
            assertThat(unstable(List.of(), 0, null).maybeLastIndex()).isEqualTo(UnstableLog.UNKNOWN);
        }

        static Stream<Arguments> terms() {
            long u = UnstableLog.UNKNOWN;
            return Stream.of(
                    Arguments.of(ents(5, 1), 5L, null, 5L, 1L),
                    Arguments.of(ents(5, 1), 5L, null, 6L, u),
                    Arguments.of(ents(5, 1), 5L, null, 4L, u),
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L, 1L),
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 6L, u),
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 4L, 1L),
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 3L, u),
                    Arguments.of(List.of(), 5L, snap(4, 1), 5L, u),
                    Arguments.of(List.of(), 5L, snap(4, 1), 4L, 1L),
                    Arguments.of(List.of(), 0L, null, 5L, u));
        }

        @ParameterizedTest
        @MethodSource("terms")
        @DisplayName("§5.3: the unstable log answers the term of its entries and of its snapshot index only")
        void maybeTerm(List<Entry> es, long offset, Snapshot sn, long index, long want) {
            assertThat(unstable(es, offset, sn).maybeTerm(index)).isEqualTo(want);
        }

        @Test
        @DisplayName("§7: restoring a snapshot drops the unstable entries and moves the offset past it")
        void restore() {
            UnstableLog u = unstable(ents(5, 1), 5, snap(4, 1));
            Snapshot s = snap(6, 2);
            u.restore(s);
            assertThat(u.offset).isEqualTo(7);
            assertThat(u.entries).isEmpty();
            assertThat(u.snapshot).isSameAs(s);
        }

        static Stream<Arguments> stableTos() {
            return Stream.of(
                    Arguments.of(List.of(), 0L, null, 5L, 1L, 0L, 0),
                    Arguments.of(ents(5, 1), 5L, null, 5L, 1L, 6L, 0), // stable to the first entry
                    Arguments.of(ents(5, 1, 1), 5L, null, 5L, 1L, 6L, 1),
                    Arguments.of(ents(6, 2), 6L, null, 6L, 1L, 6L, 1), // term mismatch
                    Arguments.of(ents(5, 1), 5L, null, 4L, 1L, 5L, 1), // stable to an old entry
                    Arguments.of(ents(5, 1), 5L, null, 4L, 2L, 5L, 1),
                    // with a snapshot
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 5L, 1L, 6L, 0),
                    Arguments.of(ents(5, 1, 1), 5L, snap(4, 1), 5L, 1L, 6L, 1),
                    Arguments.of(ents(6, 2), 6L, snap(5, 1), 6L, 1L, 6L, 1),
                    Arguments.of(ents(5, 1), 5L, snap(4, 1), 4L, 1L, 5L, 1),
                    Arguments.of(ents(5, 2), 5L, snap(4, 2), 4L, 1L, 5L, 1));
        }

        @ParameterizedTest
        @MethodSource("stableTos")
        @DisplayName("§5.3: stableTo drops persisted entries only when (index, term) matches an unstable entry")
        void stableTo(List<Entry> es, long offset, Snapshot sn, long index, long term, long wantOffset, int wantLen) {
            UnstableLog u = unstable(es, offset, sn);
            u.stableTo(index, term);
            assertThat(u.offset).isEqualTo(wantOffset);
            assertThat(u.entries).hasSize(wantLen);
        }

        static Stream<Arguments> truncateAndAppends() {
            return Stream.of(
                    Arguments.of(ents(5, 1), 5L, ents(6, 1), 5L, ents(5, 1, 1)), // append
                    Arguments.of(ents(5, 1), 5L, ents(5, 2, 2), 5L, ents(5, 2, 2)), // replace
                    Arguments.of(ents(5, 1), 5L, ents(4, 2, 2, 2), 4L, ents(4, 2, 2, 2)), // before the offset
                    Arguments.of(ents(5, 1, 1, 1), 5L, ents(6, 2), 5L, ents(5, 1, 2)), // truncate in the middle
                    Arguments.of(ents(5, 1, 1, 1), 5L, ents(7, 2, 2), 5L, ents(5, 1, 1, 2, 2)));
        }

        @ParameterizedTest
        @MethodSource("truncateAndAppends")
        @DisplayName("§5.3: truncateAndAppend replaces everything from the first new index on")
        void truncateAndAppend(List<Entry> es, long offset, List<Entry> toAppend, long wantOffset, List<Entry> want) {
            UnstableLog u = unstable(es, offset, null);
            u.truncateAndAppend(toAppend);
            assertThat(u.offset).isEqualTo(wantOffset);
            assertThat(u.entries).isEqualTo(want);
        }

        @Test
        @DisplayName("§5.3: slicing outside the unstable range is a programming error")
        void sliceBounds() {
            UnstableLog u = unstable(ents(5, 1, 1, 1), 5, null);
            assertThat(u.slice(5, 8)).hasSize(3);
            assertThat(u.slice(6, 6)).isEmpty();
            assertThatThrownBy(() -> u.slice(4, 6)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> u.slice(6, 9)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> u.slice(7, 6)).isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("§7: stableSnapTo releases the pending snapshot only for its own index")
        void stableSnapTo() {
            UnstableLog u = unstable(List.of(), 5, snap(4, 1));
            u.stableSnapTo(3);
            assertThat(u.snapshot).isNotNull();
            u.stableSnapTo(4);
            assertThat(u.snapshot).isNull();
            u.stableSnapTo(4); // no snapshot: no-op
            assertThat(u.snapshot).isNull();
        }
    }

    // ================================================================== MemoryStorage

    @Nested
    @DisplayName("MemoryStorage")
    class StorageCases {

        /** Storage holding a snapshot at 3 (term 3) and entries 4@4, 5@5 (index@term). */
        private MemoryStorage base() {
            MemoryStorage s = new MemoryStorage();
            s.applySnapshot(new Snapshot(new SnapshotMetadata(3, 3, ConfState.ofVoters(1L, 2L, 3L)), null));
            s.append(List.of(Entry.normal(4, 4, null), Entry.normal(5, 5, null)));
            return s;
        }

        private static List<Long> indexes(List<Entry> es) {
            return es.stream().map(Entry::index).toList();
        }

        @Test
        @DisplayName("§7: term(i) is known from the snapshot index (kept as a dummy entry) to the last index")
        void term() {
            MemoryStorage s = base();
            assertStorageError(() -> s.term(2), StorageException.Kind.COMPACTED);
            assertThat(s.term(3)).isEqualTo(3);
            assertThat(s.term(4)).isEqualTo(4);
            assertThat(s.term(5)).isEqualTo(5);
            assertStorageError(() -> s.term(6), StorageException.Kind.UNAVAILABLE);
        }

        @Test
        @DisplayName("§7: entries(lo, hi, max) returns stored entries within the byte limit (at least one);"
                + " compacted or"
                + " unavailable ranges are errors")
        void entries() {
            MemoryStorage s = base();
            s.append(List.of(Entry.normal(6, 6, null)));
            long one = Entry.OVERHEAD_BYTES;
            assertStorageError(() -> s.entries(2, 6, NO_LIMIT), StorageException.Kind.COMPACTED);
            assertStorageError(() -> s.entries(3, 4, NO_LIMIT), StorageException.Kind.COMPACTED);
            assertThat(indexes(s.entries(4, 5, NO_LIMIT))).containsExactly(4L);
            assertThat(indexes(s.entries(4, 6, NO_LIMIT))).containsExactly(4L, 5L);
            assertThat(indexes(s.entries(4, 7, NO_LIMIT))).containsExactly(4L, 5L, 6L);
            assertThat(indexes(s.entries(4, 7, 2 * one))).containsExactly(4L, 5L);
            assertThat(indexes(s.entries(4, 7, 2 * one + one / 2))).containsExactly(4L, 5L);
            assertThat(indexes(s.entries(4, 7, 3 * one - 1))).containsExactly(4L, 5L);
            assertThat(indexes(s.entries(4, 7, 3 * one))).containsExactly(4L, 5L, 6L);
            assertThat(indexes(s.entries(4, 7, 0))).containsExactly(4L);
            assertStorageError(() -> s.entries(4, 8, NO_LIMIT), StorageException.Kind.UNAVAILABLE);
            assertThat(new MemoryStorage().entries(1, 1, NO_LIMIT)).isEmpty();
        }

        @Test
        @DisplayName("§7: first index is right after the snapshot; last index follows appends and compaction")
        void firstAndLastIndex() {
            MemoryStorage s = base();
            assertThat(s.firstIndex()).isEqualTo(4);
            assertThat(s.lastIndex()).isEqualTo(5);
            s.append(List.of(Entry.normal(5, 6, null)));
            assertThat(s.lastIndex()).isEqualTo(6);
            s.compact(4);
            assertThat(s.firstIndex()).isEqualTo(5);
            assertThat(s.lastIndex()).isEqualTo(6);
            assertThat(s.term(4)).isEqualTo(4);
        }

        @Test
        @DisplayName("§7: compact discards entries up to an index (keeping its term); re-compacting is COMPACTED"
                + " and past"
                + " the end is an error")
        void compact() {
            MemoryStorage s = base();
            assertStorageError(() -> s.compact(2), StorageException.Kind.COMPACTED);
            assertStorageError(() -> s.compact(3), StorageException.Kind.COMPACTED);
            assertThat(s.firstIndex()).isEqualTo(4);
            s.compact(4);
            assertThat(s.firstIndex()).isEqualTo(5);
            assertThat(s.term(4)).isEqualTo(4);
            s.compact(5);
            assertThat(s.firstIndex()).isEqualTo(6);
            assertThat(s.lastIndex()).isEqualTo(5);
            assertThatThrownBy(() -> s.compact(6)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("§7: createSnapshot records (index, term, membership, data); older snapshots are refused, and so"
                + " are indexes beyond the log")
        void createSnapshot() {
            MemoryStorage s = base();
            ConfState cs = ConfState.ofVoters(1L, 2L, 3L);
            Snapshot s4 = s.createSnapshot(4, cs, bytes("data"));
            assertThat(s4.index()).isEqualTo(4);
            assertThat(s4.term()).isEqualTo(4);
            assertThat(s4.metadata().confState()).isEqualTo(cs);
            assertThat(s4.data()).isEqualTo(bytes("data"));
            assertThat(s.snapshot()).isSameAs(s4);
            // null membership keeps the previous one
            Snapshot s5 = s.createSnapshot(5, null, null);
            assertThat(s5.metadata().confState()).isEqualTo(cs);
            assertThat(s5.data()).isEmpty();
            assertThatThrownBy(() -> s.createSnapshot(5, cs, null)).isInstanceOfSatisfying(StorageException.class,
                    e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.SNAPSHOT_OUT_OF_DATE));
            MemoryStorage t = base();
            assertThatThrownBy(() -> t.createSnapshot(6, cs, null)).isInstanceOf(IllegalArgumentException.class);
        }

        static Stream<Arguments> storageAppends() {
            return Stream.of(
                    // index@term pairs -> resulting (index@term) after the snapshot dummy at 3
                    Arguments.of(List.of(Entry.normal(3, 3, null), Entry.normal(4, 4, null), Entry.normal(5, 5, null)),
                            List.of(4L, 5L), List.of(4L, 5L)),
                    Arguments.of(List.of(Entry.normal(3, 3, null), Entry.normal(6, 4, null), Entry.normal(6, 5, null)),
                            List.of(4L, 5L), List.of(6L, 6L)),
                    Arguments.of(List.of(Entry.normal(3, 3, null), Entry.normal(4, 4, null), Entry.normal(5, 5, null),
                            Entry.normal(5, 6, null)), List.of(4L, 5L, 6L), List.of(4L, 5L, 5L)),
                    // entries below the snapshot are ignored; the rest is applied
                    Arguments.of(List.of(Entry.normal(3, 2, null), Entry.normal(3, 3, null), Entry.normal(5, 4, null)),
                            List.of(4L), List.of(5L)),
                    // all compacted: nothing changes
                    Arguments.of(List.of(Entry.normal(1, 1, null), Entry.normal(2, 2, null)),
                            List.of(4L, 5L), List.of(4L, 5L)),
                    // conflict in the middle: truncate and append
                    Arguments.of(List.of(Entry.normal(6, 5, null)), List.of(4L, 5L), List.of(4L, 6L)),
                    // directly after the last entry
                    Arguments.of(List.of(Entry.normal(5, 6, null)), List.of(4L, 5L, 6L), List.of(4L, 5L, 5L)),
                    Arguments.of(List.of(), List.of(4L, 5L), List.of(4L, 5L)));
        }

        @ParameterizedTest
        @MethodSource("storageAppends")
        @DisplayName("§5.3: storage append truncates a conflicting suffix and ignores what is already compacted")
        void append(List<Entry> toAppend, List<Long> wantIndexes, List<Long> wantTerms) {
            MemoryStorage s = base();
            s.append(toAppend);
            List<Entry> got = s.entries(s.firstIndex(), s.lastIndex() + 1, NO_LIMIT);
            assertThat(indexes(got)).isEqualTo(wantIndexes);
            assertThat(termsOf(got)).isEqualTo(wantTerms);
        }

        @Test
        @DisplayName("§5.3: storage append refuses a gap after the last entry")
        void appendGap() {
            MemoryStorage s = base();
            assertThatThrownBy(() -> s.append(List.of(Entry.normal(5, 7, null))))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("§7: applySnapshot replaces the contents; an older or equal snapshot is SNAPSHOT_OUT_OF_DATE")
        void applySnapshot() {
            MemoryStorage s = new MemoryStorage();
            ConfState cs = ConfState.ofVoters(1L, 2L, 3L);
            s.applySnapshot(new Snapshot(new SnapshotMetadata(4, 4, cs), bytes("data")));
            assertThat(s.firstIndex()).isEqualTo(5);
            assertThat(s.lastIndex()).isEqualTo(4);
            assertThat(s.term(4)).isEqualTo(4);
            assertThat(s.initialState().confState()).isEqualTo(cs);
            assertThatThrownBy(() -> s.applySnapshot(new Snapshot(new SnapshotMetadata(3, 3, cs), null)))
                    .isInstanceOfSatisfying(StorageException.class,
                            e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.SNAPSHOT_OUT_OF_DATE));
            assertThatThrownBy(() -> s.applySnapshot(new Snapshot(new SnapshotMetadata(4, 4, cs), null)))
                    .isInstanceOf(StorageException.class);
        }

        @Test
        @DisplayName("§5.2: the initial state is the persisted hard state plus the snapshot's membership (founding"
                + " members at index 0 for a new replica)")
        void initialState() {
            ConfState cs = ConfState.ofVoters(1L, 2L, 3L);
            MemoryStorage s = MemoryStorage.withMembers(cs);
            assertThat(s.initialState().hardState()).isEqualTo(HardState.EMPTY);
            assertThat(s.initialState().confState()).isEqualTo(cs);
            assertThat(s.firstIndex()).isEqualTo(1);
            assertThat(s.lastIndex()).isZero();
            assertThat(s.snapshot().isEmpty()).isTrue();
            HardState hs = new HardState(3, 2, 0);
            s.setHardState(hs);
            assertThat(s.hardState()).isEqualTo(hs);
            assertThat(s.initialState().hardState()).isEqualTo(hs);
        }

        @Test
        @DisplayName("§10.2 (etcd limitSize): limitSize keeps the longest prefix within the limit, at least one entry")
        void limitSize() {
            List<Entry> es = termRange(1, 1, 5);
            long one = Entry.OVERHEAD_BYTES;
            assertThat(MemoryStorage.limitSize(List.of(), 0)).isEmpty();
            assertThat(MemoryStorage.limitSize(es, 0)).hasSize(1);
            assertThat(MemoryStorage.limitSize(es, 2 * one)).hasSize(2);
            assertThat(MemoryStorage.limitSize(es, 2 * one + 1)).hasSize(2);
            assertThat(MemoryStorage.limitSize(es, NO_LIMIT)).hasSize(4);
        }
    }
}
