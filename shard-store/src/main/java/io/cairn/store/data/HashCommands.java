package io.cairn.store.data;

/** Hash commands. */
final class HashCommands {
    private HashCommands() {
    }

    static void register(CommandTable.Builder t) {
    }
}
