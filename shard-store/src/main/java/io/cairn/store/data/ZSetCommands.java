package io.cairn.store.data;

/** ZSet commands. */
final class ZSetCommands {
    private ZSetCommands() {
    }

    static void register(CommandTable.Builder t) {
    }
}
