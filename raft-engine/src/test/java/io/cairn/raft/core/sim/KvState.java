package io.cairn.raft.core.sim;

import io.cairn.raft.core.Entry;
import io.cairn.raft.core.EntryType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated application state machine: a map of registers written by entries of the form
 * {@code w|key|value}, plus the applied index and a digest chaining every applied entry, so two
 * replicas that applied the same log agree on the digest and any divergence shows.
 */
final class KvState {
    long appliedIndex;
    long digest;
    final Map<String, String> registers = new TreeMap<>();

    static byte[] write(String key, String value) {
        return ("w|" + key + "|" + value).getBytes(StandardCharsets.UTF_8);
    }

    /** Applies one committed entry; entries must come in index order without gaps. */
    void apply(Entry e) {
        if (e.index() != appliedIndex + 1) {
            throw new AssertionError("apply out of order: entry " + e.index() + " after " + appliedIndex);
        }
        appliedIndex = e.index();
        digest = chain(digest, e);
        if (e.type() == EntryType.NORMAL && e.data().length > 0) {
            String s = new String(e.data(), StandardCharsets.UTF_8);
            String[] parts = s.split("\\|", 3);
            if (parts.length == 3 && parts[0].equals("w")) {
                registers.put(parts[1], parts[2]);
            }
        }
    }

    static long chain(long digest, Entry e) {
        long h = digest * 0x9E3779B97F4A7C15L;
        h ^= e.index() * 0xC2B2AE3D27D4EB4FL;
        h ^= e.term() * 0x165667B19E3779F9L;
        h ^= e.type().code();
        h ^= java.util.Arrays.hashCode(e.data()) * 0x27D4EB2F165667C5L;
        return Long.rotateLeft(h, 31);
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeLong(appliedIndex);
            out.writeLong(digest);
            out.writeInt(registers.size());
            for (Map.Entry<String, String> r : registers.entrySet()) {
                out.writeUTF(r.getKey());
                out.writeUTF(r.getValue());
            }
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KvState decode(byte[] data) {
        KvState s = new KvState();
        if (data.length == 0) {
            return s;
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            s.appliedIndex = in.readLong();
            s.digest = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.registers.put(in.readUTF(), in.readUTF());
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
