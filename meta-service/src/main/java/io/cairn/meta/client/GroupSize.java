package io.cairn.meta.client;

/**
 * A group's size as its leader last measured it (docs/meta-service.md, "Group sizes"):
 * approximate, and as old as the measurement (eventually consistent).
 *
 * @param groupId the group
 * @param keys    live keys (keys whose TTL has passed but that are not deleted yet are not counted)
 * @param expires live keys with a TTL
 * @param bytes   RocksDB's estimate of the group's data on disk and in memtables
 */
public record GroupSize(long groupId, long keys, long expires, long bytes) {
}
