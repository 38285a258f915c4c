package io.cairn.store.replica;

import io.cairn.store.types.KeyCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.SstFileWriter;

/**
 * A group's snapshot as SST files: written from a RocksDB snapshot of the group's key range by
 * streaming through {@link SstFileWriter} (a new file after {@code fileBytes}, and files end on
 * a slot boundary when they can, so each file covers a key range of whole slots within a kind),
 * installed by deleting the group's range and ingesting the files. Neither side holds the data
 * in memory. A {@code MANIFEST} lists the files with their first and last keys (hex).
 */
final class SnapshotFiles {
    static final long DEFAULT_FILE_BYTES = 64L << 20;
    static final String MANIFEST = "MANIFEST";

    private final DataDb db;
    private final long group;
    private final long fileBytes;

    SnapshotFiles(DataDb db, long group, long fileBytes) {
        this.db = db;
        this.group = group;
        this.fileBytes = fileBytes;
    }

    long write(Path dir) {
        Snapshot snap = null;
        long index;
        List<String> manifest = new ArrayList<>();
        try {
            db.rocks().flushWal(true); // what the snapshot covers is durable here too
            snap = db.rocks().getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snap);
                 RocksIterator it = db.rocks().newIterator(ro);
                 EnvOptions env = new EnvOptions()) {
                byte[] applied = db.rocks().get(ro, KeyCodec.appliedKey(group));
                index = applied == null ? 0 : KeyCodec.getLong(applied, 0);
                byte[] end = KeyCodec.groupEnd(group);
                SstFileWriter w = null;
                String name = null;
                byte[] first = null;
                byte[] prev = null;
                long written = 0;
                int files = 0;
                for (it.seek(KeyCodec.groupPrefix(group)); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (java.util.Arrays.compareUnsigned(k, end) >= 0) {
                        break;
                    }
                    if (w != null && written >= fileBytes && !sameSlot(prev, k)) {
                        w.finish();
                        w.close();
                        manifest.add(line(name, first, prev));
                        w = null;
                    }
                    if (w == null) {
                        name = String.format(java.util.Locale.ROOT, "%06d.sst", ++files);
                        w = new SstFileWriter(env, db.options());
                        w.open(dir.resolve(name).toString());
                        first = k;
                        written = 0;
                    }
                    byte[] v = it.value();
                    w.put(k, v);
                    written += k.length + v.length;
                    prev = k;
                }
                if (w != null) {
                    w.finish();
                    w.close();
                    manifest.add(line(name, first, prev));
                }
            }
            manifest.add(0, "group " + group + " index " + index);
            Files.write(dir.resolve(MANIFEST), manifest, StandardCharsets.UTF_8);
            return index;
        } catch (RocksDBException | IOException e) {
            throw new IllegalStateException("group " + group + ": snapshot to " + dir + " failed", e);
        } finally {
            if (snap != null) {
                db.rocks().releaseSnapshot(snap);
            }
        }
    }

    /** Data keys (meta, sub) of the same kind and slot: a file does not end between them. */
    private static boolean sameSlot(byte[] a, byte[] b) {
        if (a == null || a.length < 11 || b.length < 11 || a[8] != b[8]) {
            return false;
        }
        if (a[8] != KeyCodec.KIND_META && a[8] != KeyCodec.KIND_SUB) {
            return false;
        }
        return a[9] == b[9] && a[10] == b[10];
    }

    private static String line(String name, byte[] first, byte[] last) {
        return "file " + name + " " + HexFormat.of().formatHex(first) + " " + HexFormat.of().formatHex(last);
    }

    void install(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(MANIFEST), StandardCharsets.UTF_8);
            String[] head = lines.get(0).split(" ");
            if (Long.parseLong(head[1]) != group) {
                throw new IllegalStateException("snapshot of group " + head[1] + " offered to group " + group);
            }
            List<String> files = new ArrayList<>();
            for (String l : lines.subList(1, lines.size())) {
                Path f = dir.resolve(l.split(" ")[1]);
                if (!Files.isRegularFile(f)) {
                    throw new IllegalStateException("snapshot file missing: " + f);
                }
                files.add(f.toString());
            }
            db.rocks().deleteRange(KeyCodec.groupPrefix(group), KeyCodec.groupEnd(group));
            if (!files.isEmpty()) {
                try (IngestExternalFileOptions o = new IngestExternalFileOptions()
                        .setMoveFiles(false).setSnapshotConsistency(true).setAllowBlockingFlush(true)) {
                    db.rocks().ingestExternalFile(files, o);
                }
            }
            db.rocks().flushWal(true);
        } catch (RocksDBException | IOException e) {
            throw new IllegalStateException("group " + group + ": installing snapshot from " + dir + " failed", e);
        }
    }
}
