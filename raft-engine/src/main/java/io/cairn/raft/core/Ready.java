package io.cairn.raft.core;

import java.util.List;

/**
 * Everything the application must do after feeding the core, in this order:
 * <ol>
 *   <li>persist {@code snapshot} (if not empty), {@code entries} and {@code hardState} (if not
 *       null) to stable storage, with an fsync if {@code mustSync};</li>
 *   <li>send {@code messages} (only after step 1: a vote or an append ack must never be sent
 *       before what it promises is durable);</li>
 *   <li>apply {@code committedEntries} (calling {@link RawNode#applyConfChange} for conf change
 *       entries) and serve {@code readStates} once applied up to their index;</li>
 *   <li>call {@link RawNode#advance(Ready)}.</li>
 * </ol>
 *
 * @param softState        new leader/role if it changed since the last Ready, else null
 * @param hardState        new hard state if it changed, else null
 * @param readStates       answered ReadIndex requests
 * @param entries          entries to append to stable storage
 * @param snapshot         snapshot to install, or {@link Snapshot#EMPTY}
 * @param committedEntries entries to apply
 * @param messages         messages to send
 * @param mustSync         whether the write must be synced (term, vote or entries changed)
 */
public record Ready(SoftState softState, HardState hardState, List<ReadState> readStates,
                    List<Entry> entries, Snapshot snapshot, List<Entry> committedEntries,
                    List<Message> messages, boolean mustSync) {

    /** Whether there is nothing at all to do. */
    public boolean isEmpty() {
        return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty()
                && snapshot.isEmpty() && committedEntries.isEmpty() && messages.isEmpty();
    }
}
